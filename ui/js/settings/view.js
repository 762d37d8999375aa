// The Settings tab (placeholder until its screen lands).

export default {
  title: "Settings",
  init(container) {
    container.innerHTML = '<div class="view__head"><h1 class="page-title">Settings</h1></div>';
  },
  show() {},
  hide() {},
};
