// Training defaults: the game, algorithm and length Quick Start (and New Training) start from.

import { el } from "../shell/dom.js";
import { formatVideoLength } from "../shell/format.js";
import { onSettings } from "../shell/settings.js";
import { getCatalog, on as onState } from "../shell/state.js";
import { section, selectSetting, textSetting } from "./fields.js";

function fillOptions(select, options) {
  const current = select.value;
  select.replaceChildren(...options.map((o) => el("option", { value: o.value }, o.label)));
  if (options.some((o) => o.value === current)) select.value = current;
}

export function renderTraining() {
  const game = selectSetting("default_game", "Default game", []);
  const algorithm = selectSetting("default_algorithm", "Default algorithm", [
    { value: "ppo", label: "PPO (recommended)" },
    { value: "dqn", label: "DQN" },
  ]);
  const preset = selectSetting("default_preset", "Default training length", []);
  const fill = () => {
    const catalog = getCatalog();
    const saved = { game: game.control.dataset.value, preset: preset.control.dataset.value };
    fillOptions(game.control, (catalog.games ?? []).map((g) => ({ value: g.id, label: g.name })));
    fillOptions(
      preset.control,
      (catalog.presets ?? []).map((p) => ({
        value: p.id,
        label: p.video_length_hours ? `${p.name} · ${formatVideoLength(p.video_length_hours)}` : p.name,
      })),
    );
    if (saved.game) game.control.value = saved.game;
    if (saved.preset) preset.control.value = saved.preset;
  };
  // The settings may arrive before the catalog: keep the value until its option exists.
  onSettings((values) => {
    game.control.dataset.value = values.default_game;
    preset.control.dataset.value = values.default_preset;
    fill();
  });
  fill();
  onState("catalog", fill);
  const storage = textSetting("study_storage_url", "Shared storage (PostgreSQL URL)", {
    placeholder: "empty: studies.db in the data folder · postgresql://user:password@host:5432/db",
  });
  return [
    section(
      "Quick Start defaults",
      el("p", { class: "settings-note" }, "Quick Start on the Dashboard trains this game with this algorithm and length; New Training starts from them."),
      el("div", { class: "settings-grid settings-grid--three" }, game.element, algorithm.element, preset.element),
    ),
    section(
      "Hyperparameter studies",
      el(
        "p",
        { class: "settings-note" },
        "Another machine joins a study with ",
        el("code", {}, "retro-ml tune --join STUDY --storage URL"),
        ". The password shows as ***; saving the URL with *** keeps it.",
      ),
      storage.element,
    ),
  ];
}
