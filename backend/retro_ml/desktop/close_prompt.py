"""The question the window asks when it is closed while training runs, shown inside the page.

Injected with evaluate_js (the UI needs no desktop-only code): a modal <dialog> in the app's own
dialog style with three answers. The buttons call the js_api's `close_choice`. Names are set as
text, never as HTML.
"""

from __future__ import annotations

import json
from typing import Any

_SCRIPT = r"""
(function (info) {
  var old = document.getElementById("desktop-close-dialog");
  if (old) { old.remove(); }
  function node(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text) { n.textContent = text; }
    return n;
  }
  var dialog = node("dialog", {
    id: "desktop-close-dialog", "class": "dialog", "aria-labelledby": "desktop-close-title",
    "data-testid": "close-while-training"
  });
  var head = node("div", { "class": "dialog__head" });
  head.appendChild(node("h2", { "class": "dialog__title", id: "desktop-close-title" }, info.title));
  var body = node("div", { "class": "dialog__body" });
  body.appendChild(node("p", { "class": "dialog__lead" }, info.lead));
  if (info.names.length) {
    var list = node("ul", { "class": "dialog__note" });
    info.names.forEach(function (name) { list.appendChild(node("li", {}, name)); });
    body.appendChild(list);
  }
  body.appendChild(node("p", { "class": "dialog__note" }, info.note));
  dialog.style.width = "min(560px, calc(100vw - 48px))";  /* three answers fit on one line */
  var foot = node("div", { "class": "dialog__foot" });
  foot.style.flexWrap = "wrap";
  function choice(label, value, cls, tip) {
    var b = node("button", { type: "button", "class": "button " + cls, "data-close-choice": value, title: tip }, label);
    b.addEventListener("click", function () {
      dialog.close();
      dialog.remove();
      if (value !== "cancel" && window.pywebview && window.pywebview.api) {
        window.pywebview.api.close_choice(value);
      }
    });
    foot.appendChild(b);
    return b;
  }
  choice("Cancel", "cancel", "", "Keep the window open");
  choice("Stop training and quit", "stop", "button--danger", "Training stops after saving its model; resume it later");
  var keep = choice("Keep training in background", "background", "button--primary",
    "The window closes; training goes on. Start Retro ML Trainer again to reopen it.");
  dialog.addEventListener("cancel", function () { dialog.remove(); });
  dialog.appendChild(head); dialog.appendChild(body); dialog.appendChild(foot);
  document.body.appendChild(dialog);
  dialog.showModal();
  keep.focus();
  return true;
})(%s)
"""


def close_prompt_script(names: list[str]) -> str:
    count = len(names)
    runs = "1 training run is" if count == 1 else f"{count} training runs are"
    info: dict[str, Any] = {
        "title": "Training is still running",
        "lead": f"{runs} still going. Keep training in the background, or stop and quit?",
        "names": names[:5] + ([f"… and {count - 5} more"] if count > 5 else []),
        "note": "In the background the window closes and training goes on; start Retro ML Trainer again to "
        "reopen it. The app quits by itself when the last run ends. Stopped runs keep their model and can be "
        "continued.",
    }
    return _SCRIPT % json.dumps(info)
