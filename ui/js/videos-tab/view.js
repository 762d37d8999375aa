// The Videos tab (placeholder until its screen lands).

export default {
  title: "Videos",
  init(container) {
    container.innerHTML = '<div class="view__head"><h1 class="page-title">Videos</h1></div>';
  },
  show() {},
  hide() {},
};
