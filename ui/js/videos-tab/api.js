// The Videos tab's own calls (on api.js's `request`): batches of videos.

import { request } from "../shell/api.js";

export const libraryApi = {
  /** `{ids, action: delete|tag|untag|favorite|unfavorite, tags?}` → {results: [{id, ok, video?|error?}]}. */
  batch: (body) => request("POST", "/api/videos/batch", body),
  /** `{ids, exporter, destination, options}` → 202 {jobs, errors: [{id, error}]}. */
  exportVideos: (body) => request("POST", "/api/videos/export", body),
};
