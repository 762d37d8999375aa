// The app's settings as the server keeps them (`/api/settings`): loaded once, shared by
// every view, saved with `saveSettings` (validated server-side; nothing saved on a 400).

import { api } from "./api.js";

let values = null;
let schema = {};
const listeners = new Set();

function publish() {
  for (const listener of listeners) listener(values);
}

/** Fetches the settings (again); resolves with the values. */
export async function loadSettings() {
  const body = await api.settings();
  values = body.settings;
  schema = body.schema ?? {};
  publish();
  return values;
}

/** The loaded values (null before the first load). */
export const settings = () => values;

/** `{name: {type, default, min, max, help, choices}}` from the server. */
export const settingsSchema = () => schema;

/** Calls `listener(values)` now (when loaded) and after every load or save. */
export function onSettings(listener) {
  listeners.add(listener);
  if (values) listener(values);
  return () => listeners.delete(listener);
}

/** Saves `changes`; throws the API error (with `field`) when the server refuses them. */
export async function saveSettings(changes) {
  const body = await api.saveSettings(changes);
  values = body.settings;
  schema = body.schema ?? schema;
  publish();
  return values;
}
