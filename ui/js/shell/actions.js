// Every button with a `data-action` goes through one delegated click handler: modules register
// what their actions do (`registerActions`), wherever their buttons are rendered.

const actions = new Map(); // name → handler(target, event)

/**
 * `handlers`: {name: (target, event) => …}; `target` is the element with `data-action="name"`.
 * A name registered twice is a mistake (two modules would fight over one button).
 */
export function registerActions(handlers) {
  for (const [name, handler] of Object.entries(handlers)) {
    if (actions.has(name)) throw new Error(`The data-action "${name}" is registered twice`);
    actions.set(name, handler);
  }
}

document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-action]");
  if (!target) return;
  if (target.disabled || target.getAttribute("aria-disabled") === "true") {
    event.preventDefault(); // a busy submit button must not submit its form either
    return;
  }
  actions.get(target.dataset.action)?.(target, event);
});
