// The Settings tab's server calls (everything else goes through shell/settings.js).

import { request } from "../shell/api.js";

export const settingsApi = {
  storage: () => request("GET", "/api/storage"),
  cleanup: (body) => request("POST", "/api/storage/cleanup", body),
  doctor: (refresh = false) => request("GET", `/api/system/doctor${refresh ? "?refresh=1" : ""}`),
  about: () => request("GET", "/api/about"),
  integrations: () => request("GET", "/api/system/integrations"),
  notifyTest: () => request("POST", "/api/system/notify-test"),
  revealDataFolder: () => request("POST", "/api/system/reveal-data-folder"),
  dataFolder: () => request("GET", "/api/storage/data-folder"),
  /** `path`: an absolute folder, or "" for the default place; applies from the next start. */
  chooseDataFolder: (path) => request("PUT", "/api/storage/data-folder", { path }),
  /** How new runs are sized for this machine's hardware, and why. */
  sizing: () => request("GET", "/api/system/sizing"),
  calibration: () => request("GET", "/api/system/calibration"),
  calibrate: () => request("POST", "/api/system/calibrate", { algorithms: ["ppo"] }),
};
