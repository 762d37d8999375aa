// The Training tab's own HTTP calls, on the shared request wrapper.

import { id, query, request } from "../shell/api.js";

/** {fields: [{name, type, min, max, choices, nullable, algorithms, help, defaults}], algorithms} */
export const configFields = () => request("GET", "/api/config-fields");

/**
 * A run's logged metrics as at most `downsample` points per key:
 * {series: {key: {steps, values}}, keys_available}. `keys` null: the server's default set.
 */
export const runMetrics = (experimentId, { keys = null, downsample = 600 } = {}) =>
  request(
    "GET",
    `/api/experiments/${id(experimentId)}/metrics${query({ keys: keys?.join(","), downsample })}`,
  );
