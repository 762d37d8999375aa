// The videos' own icons (milestone states, film, live, the video actions), drawn like dom.js's icons:
// 16×16 strokes in currentColor, decorative (aria-hidden), built with DOM calls.

import { svgIcon } from "../shell/dom.js";

const ICONS = {
  done: ["M4.5 8.25l2.5 2.5 4.5-5"],
  next: [
    "M5 2.5h6",
    "M5 13.5h6",
    "M5.75 2.5c0 3.25 4.5 3.5 4.5 5.5s-4.5 2.25-4.5 5.5",
    "M10.25 2.5c0 3.25-4.5 3.5-4.5 5.5s4.5 2.25 4.5 5.5",
  ],
  pending: ["circle:8,8,3.5"],
  missed: ["M5.5 5.5l5 5", "M10.5 5.5l-5 5"],
  film: ["rect:2.5,3,11,10", "M5.5 3v10", "M10.5 3v10", "M2.5 8h3", "M10.5 8h3"],
  eye: ["M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8s-2.5 4.5-6.5 4.5S1.5 8 1.5 8z", "circle:8,8,2"],
  // The video actions (favourite, the ⋯ menu and its items).
  star: ["M8 1.9l1.85 3.8 4.15.6-3 2.95.7 4.15L8 11.45 4.3 13.4l.7-4.15-3-2.95 4.15-.6z"],
  more: ["circle:3.5,8,1.25", "circle:8,8,1.25", "circle:12.5,8,1.25"],
  export: ["M8 10V2.5", "M5 5.25L8 2.5l3 2.75", "M3 9v4h10V9"],
  rename: ["M10.25 2.75l3 3-7.75 7.75H2.5v-3z", "M8.75 4.25l3 3"],
  copy: ["rect:5.5,5.5,8,8", "M10.5 5.5v-3h-8v8h3"],
  folder: ["M1.75 4.25v8.5h12.5V5.75H7.75l-1.5-1.5z"],
  share: ["circle:4,8,1.75", "circle:12,3.75,1.75", "circle:12,12.25,1.75", "M5.55 7.2l4.9-2.6", "M5.55 8.8l4.9 2.6"],
};

export function videoIcon(name, size = 16) {
  return svgIcon(ICONS[name] ?? [], size);
}
