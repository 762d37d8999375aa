// Tabs as hash routes: `#/training`, `#/videos`, `#/experiments/<id>`, `#/settings/storage`.
// Each view registers once; it is initialised the first time it is shown, then shown and
// hidden as the route changes. Views render into their own `[data-view]` container.

const views = new Map(); // name → { container, init, show, hide, initialised, title }
let current = null;

/** The route in the address bar: `{ view, parts, query }` (`parts` after the view name). */
export function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, search = ""] = raw.split("?");
  const [view = "", ...parts] = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { view: view || "dashboard", parts, query: new URLSearchParams(search) };
}

/**
 * Registers a view. `show(route)` runs on every route into the view (also when only its
 * parts change); `hide()` when the user leaves it. `title` goes into the window title.
 */
export function registerView(name, { init = () => {}, show = () => {}, hide = () => {}, title = name } = {}) {
  const container = document.querySelector(`[data-view="${name}"]`);
  if (!container) throw new Error(`No [data-view="${name}"] container in index.html`);
  views.set(name, { container, init, show, hide, title, initialised: false });
}

/** Goes to `#/view/part…` (adds a history entry; Back returns). */
export function navigate(view, ...parts) {
  const path = [view, ...parts].map(encodeURIComponent).join("/");
  const target = `#/${path}`;
  if (location.hash === target) route();
  else location.hash = target;
}

function route() {
  const next = currentRoute();
  const entry = views.get(next.view) ?? views.get("dashboard");
  const name = views.has(next.view) ? next.view : "dashboard";
  // Every other view hidden.
  for (const [other, view] of views) {
    if (other === name || view.container.hidden) continue;
    view.container.hidden = true;
    if (current === other) view.hide();
  }
  for (const tab of document.querySelectorAll(".tabs [data-tab]")) {
    if (tab.dataset.tab === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  entry.container.hidden = false;
  if (!entry.initialised) {
    entry.initialised = true;
    entry.init(entry.container);
  }
  const changedView = current !== name;
  current = name;
  document.title = name === "dashboard" ? "Retro ML Trainer" : `${entry.title} · Retro ML Trainer`;
  entry.show(next);
  if (changedView) {
    window.scrollTo(0, 0);
    document.getElementById("main")?.focus({ preventScroll: true });
  }
  document.dispatchEvent(new CustomEvent("route", { detail: { view: name, route: next } }));
}

/** The view on screen now. */
export const currentView = () => current;

export function startRouter() {
  window.addEventListener("hashchange", route);
  route();
}
