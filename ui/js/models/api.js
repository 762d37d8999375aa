// The Models tab's HTTP calls, on the shared request wrapper (shell/api.js).

import { id, query, request } from "../shell/api.js";

/** {models: [...]}; `params`: {game?, algorithm?, experiment_id?, kind?, tag?, q?, sort?, order?}. */
export const listModels = (params = {}) => request("GET", `/api/models${query(params)}`);

export const getModel = (modelId) => request("GET", `/api/models/${id(modelId)}`);

/** `tags`: the whole new list → {model}; a bad list is a 400 with field "tags". */
export const setModelTags = (modelId, tags) => request("PATCH", `/api/models/${id(modelId)}`, { tags });

/**
 * A checkpoint goes at once → {id, path, freed_bytes}. A final or imported model answers 409
 * `confirmation_required` (naming what goes) unless `confirm`.
 */
export const deleteModel = (modelId, { confirm = false } = {}) =>
  request("DELETE", `/api/models/${id(modelId)}${confirm ? "?confirm=true" : ""}`);

/** `body`: {episodes, seed?, record?} → 202 {job}; events model.evaluation.*. */
export const evaluateModel = (modelId, body) => request("POST", `/api/models/${id(modelId)}/evaluate`, body);

/** `body`: {model_ids, episodes, seed?} → 202 {job}; events model.comparison.*. */
export const compareModels = (body) => request("POST", "/api/models/compare", body);

/** `body`: {format: sb3|onnx|hf, dest} → 202 {job}; events model.export.*. */
export const exportModel = (modelId, body) => request("POST", `/api/models/${id(modelId)}/export`, body);

/** Evaluation and comparison jobs. */
export const modelJob = (jobId) => request("GET", `/api/models/jobs/${id(jobId)}`);
export const cancelModelJob = (jobId) => request("POST", `/api/models/jobs/${id(jobId)}/cancel`);

/** Export jobs live under the export service's own path when it has one (see modelExportJob). */
export const modelExportJob = (jobId) => request("GET", `/api/models/exports/${id(jobId)}`);
export const cancelModelExport = (jobId) => request("POST", `/api/models/exports/${id(jobId)}/cancel`);

/** One VideoArtifact → {video} (to open the shared player). */
export const getVideo = (videoId) => request("GET", `/api/videos/${id(videoId)}`);

export const videoFileUrl = (videoId) => `/api/videos/${id(videoId)}/file`;
