// The Experiments tab (placeholder until its screen lands).

export default {
  title: "Experiments",
  init(container) {
    container.innerHTML = '<div class="view__head"><h1 class="page-title">Experiments</h1></div>';
  },
  show() {},
  hide() {},
};
