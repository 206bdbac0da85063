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

test("latency runs proposal to commit", () => {
  const height = 3;
  const proposal = events.find((e) => e.kind === "propose" && e.height === height);
  const commit = events.find((e) => e.kind === "commit" && e.height === height);
  const index = series.latencies.heights.indexOf(height);
  assert.notEqual(index, -1);
  assert.equal(series.latencies.x[index], commit.t);
  assert.equal(series.latencies.y[index], commit.t - proposal.t);
});

test("latency once per committed height", () => {
  const commits = events.filter((e) => e.kind === "commit");
  const heights = new Set(commits.map((e) => e.height));
  assert.equal(series.latencies.heights.length, heights.size);
  assert.ok(series.latencies.y.every((latency) => latency >= 0));
});

test("throughput counts each height once", () => {
  const commits = events.filter((e) => e.kind === "commit");
  const heights = new Set(commits.map((e) => e.height));
  const bucketSeconds = (series.throughput.x[1] - series.throughput.x[0]) / 1000;
  const total = series.throughput.y.reduce((a, b) => a + b, 0) * bucketSeconds;
  assert.equal(Math.round(total), heights.size);
  assert.ok(series.throughput.x.at(-1) < series.end + 1000 * bucketSeconds);
});

test("throughput drops to zero without primary", () => {
  const bucketMs = series.throughput.x[1] - series.throughput.x[0];
  const during = series.throughput.x.findIndex((x) => x - bucketMs / 2 >= 500);
  assert.equal(series.throughput.y[during], 0);
});

test("view heatmap follows view changes", () => {
  const change = events.find((e) => e.kind === "view_change" && e.node === 1);
  const { x, y, z } = series.viewMap;
  assert.deepEqual(y, [0, 1, 2, 3]);
  const bucketMs = x[1] - x[0];
  // Bucket b shows the view at (b + 1) * bucketMs.
  const after = Math.ceil(change.t / bucketMs) - 1;
  const before = after - 1;
  assert.equal(z[1][before], 0);
  assert.equal(z[1][after], 1);
  assert.ok(z[0].every((view) => view === 0));
});
