// The live view's picture: each `live.frame` JPEG becomes an object URL on the <img> (the
// one before it revoked), with the step it shows and the time it came, so the view can
// tell a stalled picture.

import { formatInt } from "../shell/format.js";
import { setText } from "../shell/dom.js";

/** `image`: the <img>; `step`: where the frame's timestep shows. */
export function createFrames(image, step) {
  let url = null;
  let lastAt = 0;
  return {
    /** Whether a frame is on screen. */
    get showing() {
      return Boolean(url);
    },
    /** Milliseconds since the last frame came. */
    age: () => Date.now() - lastAt,
    show(payload) {
      const next = URL.createObjectURL(new Blob([payload.jpeg], { type: "image/jpeg" }));
      const previous = url;
      url = next;
      image.src = next;
      if (previous) URL.revokeObjectURL(previous);
      lastAt = Date.now();
      if (typeof payload.timestep === "number") setText(step, formatInt(payload.timestep));
    },
    clear() {
      if (url) URL.revokeObjectURL(url);
      url = null;
      image.removeAttribute("src");
      setText(step, "—");
    },
  };
}
