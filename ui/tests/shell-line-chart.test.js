import assert from "node:assert/strict";
import { test } from "node:test";

import { axisLabels } from "../js/shell/line-chart.js";

test("close ticks never read alike", () => {
  assert.deepEqual(axisLabels([2000, 2050, 2100]), ["2K", "2.05K", "2.1K"]);
  assert.deepEqual(axisLabels([2048, 2048.5]), ["2.048K", "2.0485K"]);
});

test("round ticks stay short, small and negative values keep their decimals", () => {
  assert.deepEqual(axisLabels([0, 500000, 1000000]), ["0", "500K", "1M"]);
  assert.deepEqual(axisLabels([-21, -20.5, -20]), ["-21", "-20.5", "-20"]);
  assert.deepEqual(axisLabels([0.01, 0.02, 0.03]), ["0.01", "0.02", "0.03"]);
  assert.deepEqual(axisLabels([null, 5, 10]), ["", "5", "10"]);
});
