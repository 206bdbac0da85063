// Tests of the space-time window over a real PBFT log: node 0 crashes at
// 300 ms, so messages to it are dropped from then on.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import { Timeline } from "../runstate.js";
import { spacetimeWindow } from "../spacetime.js";
import { pbftCrashLog } from "./fixture.mjs";

let events;
let timeline;
before(() => {
  events = pbftCrashLog();
  timeline = new Timeline(events[0]);
  timeline.append(events);
});

/** Return each send paired with the event that took it out of the network,
 * matched as docs/events.md describes: loss and partition drops right after
 * their send, other delivers and drops in send order per channel. */
function referencePairs() {
  const queues = new Map();
  const pairs = [];
  for (const event of events) {
    if (event.kind === "send") {
      const key = `${event.node}>${event.to}:${event.msg}`;
      if (!queues.has(key)) queues.set(key, []);
      queues.get(key).push(event);
    } else if (event.kind === "deliver" && !event.duplicate) {
      const send = queues.get(`${event.from}>${event.node}:${event.msg}`)?.shift();
      if (send) pairs.push({ send, end: event });
    } else if (event.kind === "drop" && event.reason !== "fault") {
      const queue = queues.get(`${event.node}>${event.to}:${event.msg}`);
      const atSend = event.reason === "loss" || event.reason === "partition";
      const send = atSend ? queue?.pop() : queue?.shift();
      if (send) pairs.push({ send, end: event });
    }
  }
  return pairs;
}

function crashTime() {
  return events.find((event) => event.kind === "fault" && event.action === "crash").t;
}

const WINDOWS = [
  [150, 200],
  [400, 200],
  [1500, 200],
  [2500, 50],
];

describe("spacetimeWindow", () => {
  test("lanes cover every node", () => {
    const { lanes } = spacetimeWindow(timeline, 400, 200);
    assert.deepEqual(lanes, [{ id: 0 }, { id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test("arrows match send deliver pairs", () => {
    for (const [t, width] of WINDOWS) {
      const inside = referencePairs().filter(
        ({ send, end }) => send.t >= t - width && end.t <= t && end.kind === "deliver",
      );
      const arrows = spacetimeWindow(timeline, t, width).arrows;
      const bySeq = new Map(arrows.map((arrow) => [arrow.seq, arrow]));
      assert.ok(inside.length > 0, `no deliveries in the window ending at ${t}`);
      for (const { send, end } of inside) {
        const arrow = bySeq.get(send.seq);
        assert.ok(arrow, `send ${send.seq} has no arrow`);
        assert.deepEqual(arrow.start, { lane: send.node, t: send.t });
        assert.deepEqual(arrow.end, { lane: end.node, t: end.t });
        assert.equal(arrow.category, send.category);
        assert.equal(arrow.dropped, false);
      }
    }
  });

  test("drops after crash end in crosses", () => {
    const t = crashTime() + 100;
    const arrows = spacetimeWindow(timeline, t, 100).arrows;
    const dropped = arrows.filter((arrow) => arrow.dropped);
    assert.ok(dropped.length > 0);
    for (const arrow of dropped) {
      assert.equal(arrow.to, 0);
      assert.deepEqual(arrow.end, { lane: 0, t: arrow.arrivalAt });
    }
  });

  test("points stay inside window", () => {
    for (const [t, width] of WINDOWS) {
      const { arrows, marks, from, to } = spacetimeWindow(timeline, t, width);
      assert.equal(from, t - width);
      assert.equal(to, t);
      for (const arrow of arrows) {
        for (const point of [arrow.start, arrow.end]) {
          const where = `arrow ${arrow.seq} at ${point.t}`;
          assert.ok(point.t >= from, where);
          assert.ok(point.t <= to, where);
          assert.ok(point.lane >= 0, `lane ${point.lane}`);
          assert.ok(point.lane <= 3, `lane ${point.lane}`);
        }
      }
      for (const mark of marks) {
        assert.ok(mark.t >= from, `mark at ${mark.t}`);
        assert.ok(mark.t <= to, `mark at ${mark.t}`);
      }
    }
  });

  test("nothing outside window is drawn", () => {
    for (const [t, width] of WINDOWS) {
      const { arrows } = spacetimeWindow(timeline, t, width);
      for (const arrow of arrows) {
        assert.ok(arrow.sentAt <= t, `send ${arrow.seq} after t`);
        if (arrow.arrived) assert.ok(arrow.arrivalAt >= t - width);
        else assert.equal(arrow.arrivalAt, null);
      }
    }
  });

  test("messages in flight end at t", () => {
    const pairs = referencePairs().filter(({ end }) => end.kind === "deliver");
    const { send, end } = pairs.find((pair) => pair.end.t > pair.send.t);
    const t = (send.t + end.t) / 2;
    const arrow = spacetimeWindow(timeline, t, 200).arrows.find(
      (candidate) => candidate.seq === send.seq,
    );
    assert.equal(arrow.arrived, false);
    assert.equal(arrow.end.t, t);
    assert.ok(arrow.end.lane !== send.to || send.node === send.to);
  });

  test("commits show as marks", () => {
    const t = 1500;
    const commits = events.filter(
      (event) => event.kind === "commit" && event.t >= t - 200 && event.t <= t,
    );
    const marks = spacetimeWindow(timeline, t, 200).marks.filter(
      (mark) => mark.kind === "commit",
    );
    assert.ok(commits.length > 0);
    assert.deepEqual(
      marks,
      commits.map((event) => ({
        kind: "commit",
        lane: event.node,
        t: event.t,
        height: event.height,
      })),
    );
  });
});
