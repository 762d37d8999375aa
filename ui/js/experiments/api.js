// The Experiments tab's own HTTP calls, on the shared request wrapper.

import { api, id, query, request } from "../shell/api.js";

/** {groups: {model, checkpoints, videos, metrics, logs, config, other: [{name, path, size_bytes, modified}]}, total_bytes} */
export const runArtifacts = (experimentId) => request("GET", `/api/experiments/${id(experimentId)}/artifacts`);

/** {lines, truncated, size} — the last `tail` lines of the run's worker log. */
export const runLog = (experimentId, tail = 200) =>
  request("GET", `/api/experiments/${id(experimentId)}/logs${query({ tail })}`);

/** {series: {key: {steps, values}}, keys_available}: the shell's one metrics call. */
export const runMetrics = api.runMetrics;

/** {fields: [{name, defaults: {algo: value}}]}, asked once per page. */
let fieldsPromise = null;
export const configFields = () => {
  fieldsPromise ??= api.configFields().catch((error) => {
    fieldsPromise = null;
    throw error;
  });
  return fieldsPromise;
};

/** `changes`: {name?, tags?} → {experiment}; a bad name is a 400 with field "name". */
export const updateExperiment = (experimentId, changes) =>
  request("PATCH", `/api/experiments/${id(experimentId)}`, changes);

export const revealRunFolder = (experimentId) => request("POST", `/api/experiments/${id(experimentId)}/reveal`);

/** The run's VideoArtifacts (to play a file of the artifacts list). */
export const runVideos = (experimentId) => request("GET", `/api/videos${query({ experiment_id: experimentId })}`);
