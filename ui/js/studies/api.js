// The Studies tab's HTTP calls (docs/CONTRACT.md §5.10), on the shared request wrapper.

import { id, request } from "../shell/api.js";

/** {studies: [summary]}, newest first. */
export const listStudies = () => request("GET", "/api/studies");

/** {study: summary + trials, best_so_far, importance, importance_reason}. */
export const getStudy = (studyId) => request("GET", `/api/studies/${id(studyId)}`);

/** {search_spaces: {ppo, dqn}, safe_bounds: {name: {low, high}}}. */
export const searchSpaces = () => request("GET", "/api/studies/search-spaces");

/** `body`: {game, algorithm, n_trials, timesteps_per_trial, sampler, pruner, params?, config?, name?} → 201 {study}. */
export const createStudy = (body) => request("POST", "/api/studies", body);

export const stopStudy = (studyId) => request("POST", `/api/studies/${id(studyId)}/stop`);
export const resumeStudy = (studyId) => request("POST", `/api/studies/${id(studyId)}/resume`);

/** A full run with a trial's values → 201 {experiment}. */
export const promoteTrial = (studyId, body) => request("POST", `/api/studies/${id(studyId)}/promote`, body);
