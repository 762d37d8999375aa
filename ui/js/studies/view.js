// The Studies tab: `#/studies` lists the hyperparameter searches, `#/studies/<id>` is one
// study's page. Tune (here and on the Training tab) starts a new one.

import { createStudyPage } from "./detail.js";
import { createStudiesList } from "./list.js";

let list;
let page;

export default {
  title: "Studies",
  init(container) {
    list = createStudiesList(container);
    page = createStudyPage(container);
  },
  show(route) {
    const [studyId] = route.parts;
    if (studyId) {
      list.hide();
      page.show(studyId);
    } else {
      page.hide();
      list.show();
    }
  },
  hide() {
    list?.hide();
    page?.hide();
  },
};
