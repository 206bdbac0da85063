// Tests of the playback position over a made-up timeline.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Player, SPEED_MAX, SPEED_MIN } from "../player.js";
import { Timeline } from "../runstate.js";

const scenario = { protocol: "toy", n: 2, faults: [], network: {} };

function postpone(seq, t) {
  return { seq, t, kind: "postpone", node: 0, msg: "m" };
}

/** Return a timeline of a run start at 0 ms and ten events 10 ms apart,
 * marked complete unless `complete` is false. */
function timeline({ complete = true } = {}) {
  const result = new Timeline({ scenario }, 4);
  const events = [{ seq: 1, t: 0, kind: "run_start", scenario }];
  for (let seq = 2; seq <= 11; seq++) events.push(postpone(seq, (seq - 1) * 10));
  result.append(events);
  result.complete = complete;
  return result;
}

test("live follows newest event", () => {
  const player = new Player(timeline());
  assert.deepEqual(player.position(), { k: 11, now: 100 });
  assert.equal(player.state().nodes[0].postponed, 10);
});

test("pause freezes at newest event", () => {
  const events = timeline();
  const player = new Player(events);
  player.pause();
  events.append([postpone(12, 110)]);
  assert.deepEqual(player.position(), { k: 11, now: 100 });
});

test("step moves by events", () => {
  const player = new Player(timeline());
  player.pause();
  player.step(-3);
  assert.deepEqual(player.position(), { k: 8, now: 70 });
  assert.equal(player.state().nodes[0].postponed, 7);
  player.step(100);
  assert.equal(player.position().k, 11);
  player.step(-100);
  assert.deepEqual(player.position(), { k: 0, now: 0 });
});

test("play advances by speed", () => {
  const player = new Player(timeline());
  player.seekTime(20);
  player.play();
  player.setSpeed(0.5);
  player.tick(30);
  assert.deepEqual(player.position(), { k: 4, now: 35 });
  player.tick(1000);
  assert.deepEqual(player.position(), { k: 11, now: 100 });
});

test("play stops before newest time until complete", () => {
  const events = timeline({ complete: false });
  const player = new Player(events);
  player.seekTime(0);
  player.play();
  player.tick(1000);
  assert.deepEqual(player.position(), { k: 10, now: 90 });
  // A second event at the newest time leaves that time unsettled.
  events.append([postpone(12, 100)]);
  player.tick(1000);
  assert.deepEqual(player.position(), { k: 10, now: 90 });
  events.append([postpone(13, 110)]);
  player.tick(1000);
  assert.deepEqual(player.position(), { k: 12, now: 100 });
  assert.equal(player.state().nodes[0].postponed, 11);
  events.complete = true;
  player.tick(1000);
  assert.deepEqual(player.position(), { k: 13, now: 110 });
});

test("paused state keeps once log completes", () => {
  const events = timeline({ complete: false });
  const player = new Player(events);
  player.seekTime(0);
  player.play();
  player.tick(1000);
  player.pause();
  const paused = player.position();
  events.append([postpone(12, 100), postpone(13, 110)]);
  events.complete = true;
  assert.deepEqual(player.position(), paused);
  assert.equal(paused.k, events.countAtTime(paused.now));
});

test("seek past unsettled time stops before it", () => {
  const player = new Player(timeline({ complete: false }));
  player.seekTime(95);
  assert.deepEqual(player.position(), { k: 10, now: 95 });
  player.seekTime(200);
  assert.deepEqual(player.position(), { k: 10, now: 95 });
  player.seekTime(50);
  assert.deepEqual(player.position(), { k: 6, now: 50 });
  player.seekTime(200);
  assert.deepEqual(player.position(), { k: 10, now: 90 });
});

test("empty incomplete log plays nothing", () => {
  const events = new Timeline({ scenario }, 4);
  const player = new Player(events);
  player.play();
  player.tick(1000);
  assert.deepEqual(player.position(), { k: 0, now: 0 });
  events.append([{ seq: 1, t: 0, kind: "run_start", scenario }]);
  player.tick(1000);
  assert.deepEqual(player.position(), { k: 0, now: 0 });
});

test("play keeps time in whole microseconds", () => {
  const player = new Player(timeline());
  player.seekTime(0);
  player.play();
  // 0.1 + 0.1 + 0.1 is 0.30000000000000004 in floats.
  for (let frame = 0; frame < 3; frame++) player.tick(0.1);
  assert.equal(player.position().now, 0.3);
  for (let frame = 0; frame < 7; frame++) player.tick(0.1);
  assert.equal(String(player.position().now), "1");
});

test("play at end restarts", () => {
  const player = new Player(timeline());
  player.play();
  assert.deepEqual(player.position(), { k: 0, now: 0 });
  assert.equal(player.mode, "playing");
});

test("speed clamps to range", () => {
  const player = new Player(timeline());
  player.setSpeed(1000);
  assert.equal(player.speed, SPEED_MAX);
  player.setSpeed(0);
  assert.equal(player.speed, SPEED_MIN);
});

test("keep events stays inside one moment", () => {
  const events = new Timeline({ scenario }, 4);
  events.append([
    { seq: 1, t: 0, kind: "run_start", scenario },
    postpone(2, 10),
    postpone(3, 20),
    postpone(4, 20),
    postpone(5, 20),
    postpone(6, 30),
  ]);
  events.complete = true;
  const player = new Player(events);
  player.seekTime(20);
  assert.deepEqual(player.position(), { k: 5, now: 20 });
  player.keepEvents(3);
  assert.deepEqual(player.position(), { k: 3, now: 20 });
  player.keepEvents(1);
  assert.deepEqual(player.position(), { k: 2, now: 20 });
  player.keepEvents(9);
  assert.deepEqual(player.position(), { k: 5, now: 20 });
});
