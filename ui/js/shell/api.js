// The one way the UI talks HTTP. Auth is the session cookie that `/?token=…` set
// (credentials: "same-origin"); every failure becomes an ApiError whose message a
// person can act on.

export const AUTH_MESSAGE =
  "This page needs the link Retro ML Trainer printed when it started (it ends with ?token=…).";
export const OFFLINE_MESSAGE = "Can't reach the Retro ML server — is it still running?";

export class ApiError extends Error {
  /**
   * kind: "auth" (401), "offline" (no answer), "http" (4xx with a reason), "server" (5xx).
   */
  constructor(kind, message, { status = 0, code = null, field = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const listeners = { auth: new Set(), offline: new Set(), online: new Set() };

/** Subscribe to "auth" (a 401), "offline" (server unreachable) or "online" (answered again). */
export function onConnectivity(kind, handler) {
  listeners[kind].add(handler);
  return () => listeners[kind].delete(handler);
}

function notify(kind, error) {
  for (const handler of listeners[kind]) handler(error);
}

/** One JSON request; feature modules build their own calls on it (see `api` below). */
export async function request(method, path, body) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch {
    const error = new ApiError("offline", OFFLINE_MESSAGE);
    notify("offline", error);
    throw error;
  }
  notify("online");

  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }

  if (response.status === 401) {
    const error = new ApiError("auth", AUTH_MESSAGE, { status: 401 });
    notify("auth", error);
    throw error;
  }
  if (!response.ok) {
    const reason = data?.error ?? {};
    const kind = response.status >= 500 ? "server" : "http";
    const fallback =
      kind === "server"
        ? `The Retro ML server hit an error (${response.status}). Try again; if it keeps happening, check the terminal it runs in.`
        : `The Retro ML server refused this request (${response.status}).`;
    throw new ApiError(kind, reason.message || fallback, {
      status: response.status,
      code: reason.code ?? null,
      field: reason.field ?? null,
    });
  }
  return data ?? {};
}

export const id = (value) => encodeURIComponent(value);

/** {a: 1, b: null} → "?a=1" (null, undefined and "" are left out). */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const api = {
  games: () => request("GET", "/api/games"),
  presets: () => request("GET", "/api/presets"),
  system: () => request("GET", "/api/system"),
  experiments: () => request("GET", "/api/experiments"),
  experiment: (experimentId) => request("GET", `/api/experiments/${id(experimentId)}`),
  createExperiment: (body) => request("POST", "/api/experiments", body),
  stopExperiment: (experimentId) => request("POST", `/api/experiments/${id(experimentId)}/stop`),
  pauseExperiment: (experimentId) => request("POST", `/api/experiments/${id(experimentId)}/pause`),
  resumeExperiment: (experimentId) => request("POST", `/api/experiments/${id(experimentId)}/resume`),
  /** A child run that loads this run's model and trains `additionalTimesteps` more. */
  /** `keepReplayBuffer`: a DQN parent's kept replay memory (undefined: the server's default). */
  continueExperiment: (experimentId, additionalTimesteps, keepReplayBuffer) =>
    request("POST", `/api/experiments/${id(experimentId)}/continue`, {
      additional_timesteps: additionalTimesteps,
      ...(keepReplayBuffer === undefined ? {} : { keep_replay_buffer: keepReplayBuffer }),
    }),
  /** A child run with the same config, for a failed or interrupted run. */
  retryExperiment: (experimentId) => request("POST", `/api/experiments/${id(experimentId)}/retry`),
  /** {fields: [{name, type, min, max, choices, nullable, algorithms, help, defaults}], algorithms} */
  configFields: () => request("GET", "/api/config-fields"),
  /**
   * A run's logged metrics, at most `downsample` points per key:
   * {series: {key: {steps, values}}, keys_available}. `keys` null: the server's default set.
   */
  runMetrics: (experimentId, { keys = null, downsample = 600 } = {}) =>
    request("GET", `/api/experiments/${id(experimentId)}/metrics${query({ keys: keys?.join(","), downsample })}`),
  /** VideoArtifacts, newest first; `params`: {experiment_id?, type?, game?, tag?, favorite?}. */
  videos: (params = {}) => request("GET", `/api/videos${query(params)}`),
  /** Removes a finished run's record and its folder (model, checkpoints, logs). */
  deleteExperiment: (experimentId) => request("DELETE", `/api/experiments/${id(experimentId)}`),
  /** `changes`: {name?, favorite?, tags?} → {video}; a bad name is a 400 with field "name". */
  updateVideo: (videoId, changes) => request("PATCH", `/api/videos/${id(videoId)}`, changes),
  /** Moves the file and its thumbnail to the OS trash. */
  deleteVideo: (videoId) => request("DELETE", `/api/videos/${id(videoId)}`),
  /** Opens the file manager at the video (503 integration_unavailable when the OS can't). */
  revealVideo: (videoId) => request("POST", `/api/videos/${id(videoId)}/reveal`),
  /** Puts the video's path on the OS clipboard, server side (503 when the OS can't). */
  copyVideoPath: (videoId) => request("POST", `/api/videos/${id(videoId)}/copy-path`),
  /** {exporters: [{id, label, description, target, options}]} */
  exporters: () => request("GET", "/api/exporters"),
  /** `body`: {exporter, destination, options?} → 202 {job}. */
  exportVideo: (videoId, body) => request("POST", `/api/videos/${id(videoId)}/export`, body),
  /** `body`: {exporter: "model.share", destination, options?} → 202 {job}. */
  exportExperiment: (experimentId, body) => request("POST", `/api/experiments/${id(experimentId)}/export`, body),
  exportJob: (jobId) => request("GET", `/api/exports/${id(jobId)}`),
  /** Resolves once the job has stopped and its partial files are gone (409 if it had finished). */
  cancelExport: (jobId) => request("POST", `/api/exports/${id(jobId)}/cancel`),
  settings: () => request("GET", "/api/settings"),
  /** `changes`: {name: value}; 400 (with `field`) and nothing saved when one is invalid. */
  saveSettings: (changes) => request("PUT", "/api/settings", changes),
};
