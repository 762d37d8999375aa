// The Training tab (placeholder until its screen lands).

export default {
  title: "Training",
  init(container) {
    container.innerHTML = '<div class="view__head"><h1 class="page-title">Training</h1></div>';
  },
  show() {},
  hide() {},
};
