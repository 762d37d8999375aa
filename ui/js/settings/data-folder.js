// Settings → Storage → Data folder: where the database, the settings and (by default) the runs
// live. The running app keeps its folder (moving a live database and runs under training
// workers could lose them); a new choice applies from the next start, and nothing is moved.

import { hasFolderPicker, pickFolder } from "../shell/desktop.js";
import { el, setText } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";
import { settingsApi } from "./api.js";


const OVERRIDES = {
  argument: "This launch uses the folder given with --data-dir, which wins over the choice below.",
  environment: "This launch uses RETRO_ML_DATA_DIR, which wins over the choice below.",
};

/** The data folder's field: the folder in use (Open folder) and the one for the next start. */
export function dataFolderField() {
  const current = el("code", { class: "path", dataset: { testid: "data-dir" } }, "…");
  const open = el("button", { type: "button", class: "button", title: "Show the data folder in the file manager" }, "Open folder");
  const input = el("input", {
    type: "text",
    class: "input setting__path",
    id: "data-folder-next",
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "data-folder-note data-folder-error",
  });
  const change = el(
    "button",
    { type: "button", class: "button", title: hasFolderPicker() ? "Choose a folder" : "Type a full folder path, then Save" },
    "Change…",
  );
  const save = el("button", { type: "button", class: "button", title: "Use this folder from the next start" }, "Save");
  const reset = el("button", { type: "button", class: "button", title: "Use the default place from the next start" }, "Use default");
  const status = el("span", { class: "setting__saved", role: "status", "aria-live": "polite" });
  const override = el("p", { class: "settings-note", hidden: true, dataset: { testid: "data-folder-override" } });
  const note = el("p", { class: "form__hint", id: "data-folder-note", dataset: { testid: "data-folder-note" } });
  const error = el("p", { class: "form__error", id: "data-folder-error", hidden: true });
  let known = null;

  function show(state) {
    known = state;
    setText(current, state.current);
    input.value = state.chosen ?? "";
    input.placeholder = `${state.default} (default)`;
    override.hidden = !OVERRIDES[state.source];
    setText(override, OVERRIDES[state.source] ?? "");
    setText(
      note,
      state.next_start === state.current
        ? "Takes effect at the next start. Nothing is moved."
        : `From the next start: ${state.next_start}. Nothing is moved: to keep your runs, close the app and move the contents of ${state.current} there first.`,
    );
  }

  async function choose(path) {
    setText(status, "Saving…");
    status.className = "setting__saved setting__saved--busy";
    try {
      show(await settingsApi.chooseDataFolder(path));
      error.hidden = true;
      input.removeAttribute("aria-invalid");
      setText(status, "✓ Saved");
      status.className = "setting__saved setting__saved--ok";
    } catch (err) {
      setText(status, "");
      error.hidden = false;
      setText(error, err.message);
      input.setAttribute("aria-invalid", "true");
    }
  }

  save.addEventListener("click", () => choose(input.value.trim()));
  reset.addEventListener("click", () => choose(""));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") choose(input.value.trim());
  });
  change.addEventListener("click", async () => {
    if (!hasFolderPicker()) {
      input.focus();
      input.select();
      return;
    }
    const picked = await pickFolder(input.value.trim() || known?.current || "");
    if (picked) {
      input.value = picked;
      choose(picked);
    }
  });
  open.addEventListener("click", async () => {
    try {
      await settingsApi.revealDataFolder();
    } catch (err) {
      showToast("Could not open the folder", { kind: "error", detail: `${err.message} The folder is ${current.textContent}.` });
    }
  });
  settingsApi
    .dataFolder()
    .then(show)
    .catch((err) => {
      error.hidden = false;
      setText(error, `Could not read the data folder: ${err.message}`);
    });

  return el(
    "div",
    { class: "form__field setting", dataset: { settingField: "data_folder" } },
    el("div", { class: "setting__row" }, el("span", { class: "form__label" }, "Data folder (database, settings, runs by default)")),
    el("div", { class: "setting__path-row" }, current, open),
    override,
    el("div", { class: "setting__row" }, el("label", { class: "form__label", for: "data-folder-next" }, "Data folder from the next start"), status),
    el("div", { class: "setting__path-row" }, input, change, save, reset),
    note,
    error,
  );
}
