// Tests of the playback position over a made-up timeline.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Player, SPEED_MAX, SPEED_MIN } from "../player.js";
import { Timeline } from "../runstate.js";

const scenario = { protocol: "toy", n: 2, faults: [], network: {} };

function timeline() {
  const result = new Timeline({ scenario }, 4);
  const events = [{ seq: 1, t: 0, kind: "run_start", scenario }];
  for (let seq = 2; seq <= 11; seq++) {
    events.push({ seq, t: (seq - 1) * 10, kind: "postpone", node: 0, msg: "m" });
  }
  result.append(events);
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
  events.append([{ seq: 12, t: 110, kind: "postpone", node: 0, msg: "m" }]);
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
