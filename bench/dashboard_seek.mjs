// Time cold seeks of the run page's Timeline (static/js/runstate.js) in an
// event log: node bench/dashboard_seek.mjs FILE.jsonl. Prints JSON.
//
// The log is appended in one call, as the page does with a finished run's
// replay. Before each seek the cursor is dropped, so every seek copies its
// nearest snapshot and replays from there, as a jump on the slider does.

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Timeline } from "../static/js/runstate.js";

const POSITIONS = [0, 0.001, 0.25, 0.5, 0.75, 0.999, 1];
const REPEATS = 3;

function readLog(path) {
  const lines = readFileSync(path, "utf8").split("\n");
  return lines.filter((line) => line !== "").map((line) => JSON.parse(line));
}

function coldSeekMs(timeline, k) {
  timeline.cursor = null;
  const start = performance.now();
  timeline.seek(k);
  return performance.now() - start;
}

const events = readLog(process.argv[2]);
const appendStart = performance.now();
const timeline = new Timeline(events[0]);
timeline.append(events);
const appendMs = performance.now() - appendStart;

const seeks = [];
for (const position of POSITIONS) {
  const k = Math.round(position * timeline.length);
  let best = Infinity;
  let worst = 0;
  for (let i = 0; i < REPEATS; i++) {
    const ms = coldSeekMs(timeline, k);
    best = Math.min(best, ms);
    worst = Math.max(worst, ms);
  }
  seeks.push({ position, k, best_ms: best, worst_ms: worst });
}
const worsts = seeks.map((seek) => seek.worst_ms).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    events: timeline.length,
    snapshots: timeline.snapshots.length,
    append_ms: appendMs,
    seek_max_ms: worsts[worsts.length - 1],
    seek_median_ms: worsts[worsts.length >> 1],
    seeks,
  }),
);
