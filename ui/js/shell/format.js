// How figures and statuses read on screen. Pure functions: no DOM, no state.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

export const DASH = "—";

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

/** 1024 → "1,024"; null → "—". */
export function formatInt(value) {
  return isNumber(value) ? integer.format(Math.round(value)) : DASH;
}

/** 12.345 → "12.3"; null → "—". */
export function formatReward(value) {
  return isNumber(value) ? oneDecimal.format(value) : DASH;
}

/**
 * Progress as people read it: floors so "100%" only shows when done, and keeps one
 * decimal under 10% so a long run visibly moves (0.4%, 5%, 45%).
 */
export function formatPct(value) {
  if (!isNumber(value) || value <= 0) return "0%";
  if (value >= 100) return "100%";
  if (value < 10) {
    const tenths = Math.floor(value * 10) / 10;
    return `${Number.isInteger(tenths) ? tenths : tenths.toFixed(1)}%`;
  }
  return `${Math.floor(value)}%`;
}

/** "1,024 / 4,096" */
export function formatSteps(timestep, total) {
  return `${formatInt(timestep ?? 0)} / ${formatInt(total)}`;
}

/** Seconds as a clock people read: "12s", "4m 05s", "1h 23m", "2d 03h". */
export function formatDuration(seconds) {
  if (!isNumber(seconds) || seconds < 0) return DASH;
  const s = Math.floor(seconds);
  const pad = (n) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** A rough estimate in words: "under a minute", "about 20 min", "about 3 h 10 min". */
export function formatEstimate(seconds) {
  if (!isNumber(seconds) || seconds <= 0) return null;
  if (seconds < 60) return "under a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours >= 48) return `about ${integer.format(Math.round(hours / 24))} days`;
  if (hours >= 10 || rest === 0) return `about ${Math.round(minutes / 60)} h`;
  return `about ${hours} h ${rest} min`;
}

/** Hours of video: 0.5 → "30 min video", 1 → "1 h video", 10 → "10 h video". */
export function formatVideoLength(hours) {
  if (!isNumber(hours) || hours <= 0) return null;
  if (hours < 1) return `${Math.round(hours * 60)} min video`;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h video`;
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** File sizes: "820 KB", "19.8 MB", "2.1 GB". */
export function formatBytes(bytes) {
  if (!isNumber(bytes) || bytes < 0) return DASH;
  if (bytes >= GB) return `${oneDecimal.format(bytes / GB)} GB`;
  if (bytes >= MB) return `${oneDecimal.format(bytes / MB)} MB`;
  return `${integer.format(Math.max(1, bytes / 1024))} KB`;
}

/** Memory as "8.2 / 16 GB". */
export function formatMemory(usedBytes, totalBytes) {
  if (!isNumber(usedBytes) || !isNumber(totalBytes)) return DASH;
  const total = totalBytes / GB;
  const totalText = total >= 10 ? integer.format(total) : oneDecimal.format(total);
  return `${oneDecimal.format(usedBytes / GB)} / ${totalText} GB`;
}

/** "2026-11-24T01:23:45Z" → "Today 01:23", "Yesterday 18:02" or "24 Nov 01:23". */
export function formatWhen(iso) {
  const date = iso ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) return DASH;
  const time = date.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return `Today ${time}`;
  if (date.toDateString() === yesterday.toDateString()) return `Yesterday ${time}`;
  const day = date.toLocaleDateString(undefined, { day: "numeric", month: "short" });
  return `${day} ${time}`;
}

export const ACTIVE_STATUSES = new Set(["queued", "running", "paused"]);
export const FINISHED_STATUSES = new Set(["completed", "failed", "stopped", "interrupted", "pruned"]);

const STATUS_LABELS = {
  queued: "Queued",
  starting: "Starting…",
  running: "Running",
  paused: "Paused",
  completed: "Completed",
  failed: "Failed",
  stopped: "Stopped",
  interrupted: "Interrupted",
  pruned: "Pruned",
};

/**
 * The status a person sees. A run that is "running" but has not reported a single step
 * yet is still loading torch and the emulator: call it "Starting…".
 */
export function displayStatus(experiment) {
  const status = experiment?.metadata?.status ?? "queued";
  // A continued run starts at its parent's step count, not at 0.
  const start = experiment.lineage?.start_timestep ?? 0;
  if (status === "running" && !(experiment.progress?.timestep > start)) return "starting";
  return status;
}

export function statusLabel(status) {
  return STATUS_LABELS[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}

export function algorithmLabel(id) {
  return { ppo: "PPO", dqn: "DQN" }[id] ?? String(id ?? "").toUpperCase();
}

/** Runs that can train on from their saved model ("Continue training"). */
export const CONTINUABLE_STATUSES = new Set(["completed", "stopped", "interrupted", "pruned"]);
/** Runs that can start over with the same settings ("Retry"). */
export const RETRYABLE_STATUSES = new Set(["failed", "interrupted"]);

const insideFolder = (path, folder) =>
  Boolean(path && folder) &&
  (path.startsWith(`${folder}/`) || path.startsWith(`${folder}\\`));

/**
 * How a run came from another: "continued" (it loads a model its parent saved), "retry"
 * (it starts where its parent started), or null (a fresh run). `parent` may be unknown
 * (deleted): a run that loads a model is then taken as continued.
 */
export function lineageKind(experiment, parent) {
  const lineage = experiment?.lineage ?? {};
  if (!lineage.parent_experiment_id) return null;
  const source = lineage.checkpoint_source;
  if (!source) return "retry";
  if (!parent) return "continued";
  return insideFolder(source, parent.run_dir) ? "continued" : "retry";
}

/** "continued from Pong #1 at 2,048 steps", "retry of Pong #2"; null for a fresh run. */
export function lineageText(experiment, parent) {
  const kind = lineageKind(experiment, parent);
  if (!kind) return null;
  const parentName = parent?.name ?? "a deleted run";
  if (kind === "retry") return `retry of ${parentName}`;
  const start = experiment.lineage?.start_timestep ?? 0;
  return start > 0
    ? `continued from ${parentName} at ${formatInt(start)} steps`
    : `continued from ${parentName}`;
}
