// Tests of the chart series over the PBFT log with a crashed primary.

import assert from "node:assert/strict";
import { before, test } from "node:test";

import { chartSeries } from "../charts.js";
import { pbftCrashLog } from "./fixture.mjs";

let events;
let series;
before(() => {
  events = pbftCrashLog();
  series = chartSeries(events);
});

test("heights rise with commits", () => {
  const commits = events.filter((e) => e.kind === "commit" && e.node === 1);
  const heights = series.heights[1];
  assert.equal(heights.y.length, commits.length + 1);
  assert.deepEqual(heights.y.slice(1), commits.map((e) => e.height));
  assert.deepEqual(heights.x.slice(1), commits.map((e) => e.t));
});

test("views step at view change", () => {
  const change = events.find((e) => e.kind === "view_change" && e.node === 1);
  assert.deepEqual(series.views[1].y, [0, 1]);
  assert.equal(series.views[1].x[1], change.t);
  assert.deepEqual(series.views[0].y, [0]);
});

test("sends counted per bucket", () => {
  const sends = events.filter((e) => e.kind === "send" && e.msg === "prepare");
  const counted = Object.values(series.sends.prepare).reduce((a, b) => a + b, 0);
  assert.equal(counted, sends.length);
  const first = sends.filter((e) => e.t < 100).length;
  assert.equal(series.sends.prepare[0], first);
});

test("end is the last time", () => {
  assert.equal(series.end, events[events.length - 1].t);
});
