// Small pieces the Models dialogs share: a number field with its hint and error line, and a
// video panel that plays a VideoArtifact's file (the server answers range requests, so the
// browser's own controls seek) and says so plainly when the file cannot be played.

import { el, setText } from "../shell/dom.js";
import { videoFileUrl } from "./api.js";

/**
 * A labelled number input: {field, input, value()}; `value()` is the whole number typed, null
 * when empty, or the raw text when it is not a number (the server says what is wrong).
 */
export function numberField(id, label, { min, max, value, hint }) {
  const input = el("input", {
    type: "number",
    class: "input models-form__number",
    id,
    min: String(min),
    max: String(max),
    step: "1",
    value: value === null ? null : String(value),
    inputmode: "numeric",
    dataset: { field: id },
    "aria-describedby": `${id}-hint`,
  });
  const field = el(
    "div",
    { class: "form__field" },
    el("label", { class: "form__label", for: id }, label),
    input,
    el("p", { class: "form__hint", id: `${id}-hint` }, hint),
    el("p", { class: "form__error", dataset: { errorFor: id }, role: "alert", hidden: true }),
  );
  return {
    field,
    input,
    value() {
      const text = input.value.trim();
      if (!text) return null;
      const number = Number(text);
      return Number.isInteger(number) ? number : text;
    },
  };
}

const MEDIA_ERRORS = {
  2: "The video stopped loading: the connection to the Retro ML server was lost. Close this window and try again.",
  3: "This video file is damaged and cannot be played.",
  4: "The video file could not be opened: it may have been deleted. The Videos tab lists what exists now.",
};

/** A captioned, seekable <video> of VideoArtifact `videoId`; `field` names the <video>. */
export function videoPanel(videoId, caption, field) {
  const error = el("p", { class: "card-message card-message--error", role: "alert", hidden: true });
  const video = el("video", {
    class: "models-video__player",
    controls: true,
    preload: "metadata",
    playsinline: true,
    src: videoFileUrl(videoId),
    dataset: { field, videoId },
  });
  video.addEventListener("error", () => {
    error.hidden = false;
    setText(error, MEDIA_ERRORS[video.error?.code] ?? "The video could not be played.");
  });
  return el(
    "figure",
    { class: "models-video" },
    video,
    el(
      "figcaption",
      { class: "models-video__caption" },
      caption,
      " · ",
      el("a", { href: "#/videos", title: "Every video, this one included, is in the Videos tab" }, "In the Videos tab"),
    ),
    error,
  );
}
