// Tests of the certificates and ended timers that the run state keeps for
// MARK_MS of simulated time, over small made-up logs and the PBFT log.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import {
  MARK_MS,
  Timeline,
  recentCertificates,
  recentEndedTimers,
  stateAt,
} from "../runstate.js";
import { pbftCrashLog } from "./fixture.mjs";

const START = {
  seq: 1,
  t: 0,
  kind: "run_start",
  schema_version: 1,
  seed: 1,
  scenario: { protocol: "hotstuff", n: 4, faults: [{ node: 3, behaviour: "twins" }] },
};

/** Fold a log of START then `rest`, each with its own `t`. */
function fold(rest) {
  const log = [START, ...rest.map((event, i) => ({ seq: i + 2, ...event }))];
  return stateAt(log, log.length);
}

function setTimer(t, timer, ms) {
  return { t, kind: "timer_set", node: 0, timer, ms, absolute: false };
}

const cancel = (t, timer) => ({ t, kind: "timer_cancel", node: 0, timer });
const fire = (t, timer) => ({ t, kind: "timer_fire", node: 0, timer });

function qc(t, node, view, extra = {}) {
  const fields = { phase: "prepare", height: 1, value: "h1", signers: [0, 1, 2] };
  return { t, kind: "qc", node, view, ...fields, ...extra };
}

describe("ended timers", () => {
  test("cancel keeps time left", () => {
    const node = fold([setTimer(0, "state", 100), cancel(40, "state")]).nodes[0];
    assert.equal(node.timers.state, undefined);
    assert.equal(node.endedTimers.state.ended, "cancelled");
    assert.equal(node.endedTimers.state.endedAt, 40);
    assert.equal(node.endedTimers.state.left, 0.6);
    assert.equal(node.endedTimers.state.kind, "state");
  });

  test("fire ends with nothing left", () => {
    const node = fold([setTimer(0, "event", 50), fire(50, "event")]).nodes[0];
    assert.equal(node.endedTimers.event.ended, "fired");
    assert.equal(node.endedTimers.event.left, 0);
    assert.equal(node.endedTimers.event.kind, "event");
  });

  test("reset after cancel keeps both", () => {
    const log = [setTimer(0, "state", 100), cancel(30, "state")];
    const node = fold([...log, setTimer(30, "state", 100)]).nodes[0];
    assert.equal(node.timers.state.setAt, 30);
    assert.equal(node.endedTimers.state.ended, "cancelled");
  });

  const windowCases = [
    [39, 0],
    [40, 1],
    [40 + MARK_MS, 1],
    [40 + MARK_MS + 1, 0],
  ];
  for (const [now, count] of windowCases) {
    test(`recent at now ${now} counts ${count}`, () => {
      const node = fold([setTimer(0, "x", 100), cancel(40, "x")]).nodes[0];
      assert.equal(recentEndedTimers(node, now).length, count);
    });
  }

  test("old ended timers are pruned", () => {
    const later = 10 + MARK_MS + 1;
    const log = [setTimer(0, "a", 100), cancel(10, "a"), setTimer(0, "b", 500)];
    const node = fold([...log, fire(later, "b")]).nodes[0];
    assert.deepEqual(Object.keys(node.endedTimers), ["b"]);
  });

  test("ended timers sort by name", () => {
    const log = [setTimer(0, "b", 100), setTimer(0, "a", 100)];
    const node = fold([...log, cancel(5, "b"), fire(6, "a")]).nodes[0];
    const names = recentEndedTimers(node, 10).map((timer) => timer.name);
    assert.deepEqual(names, ["a", "b"]);
  });
});

describe("certificates", () => {
  test("qc records its collector", () => {
    const state = fold([qc(5, 2, 3)]);
    assert.equal(state.certificates.length, 1);
    const [certificate] = state.certificates;
    assert.equal(certificate.node, 2);
    assert.equal(certificate.t, 5);
    assert.equal(certificate.view, 3);
    assert.equal(certificate.phase, "prepare");
    assert.deepEqual(certificate.signers, [0, 1, 2]);
    assert.equal(certificate.twin, false);
  });

  test("newest certificate per node", () => {
    const log = [qc(5, 0, 1), qc(6, 1, 1), qc(7, 0, 1, { phase: "commit" })];
    const recent = recentCertificates(fold(log), 10);
    const collectors = recent.map((c) => [c.node, c.phase]);
    assert.deepEqual(collectors, [[1, "prepare"], [0, "commit"]]);
  });

  test("certificate fades out of window", () => {
    const state = fold([qc(5, 0, 1)]);
    assert.equal(recentCertificates(state, 4).length, 0);
    assert.equal(recentCertificates(state, 5 + MARK_MS).length, 1);
    assert.equal(recentCertificates(state, 6 + MARK_MS).length, 0);
  });

  test("old certificates are pruned", () => {
    const state = fold([qc(5, 0, 1), qc(6 + MARK_MS, 1, 2)]);
    assert.deepEqual(state.certificates.map((c) => c.node), [1]);
  });

  test("twin certificate kept apart", () => {
    const state = fold([qc(5, 3, 1), { ...qc(6, 3, 1), twin: 1 }]);
    const recent = recentCertificates(state, 10);
    assert.deepEqual(recent.map((c) => [c.node, c.twin]), [[3, false], [3, true]]);
  });
});

describe("pbft marks", () => {
  let events;
  before(() => {
    events = pbftCrashLog();
  });

  function indexOf(predicate) {
    const index = events.findIndex(predicate);
    assert.notEqual(index, -1, "the log has no such event");
    return index;
  }

  test("fired state timer marked", () => {
    const i = indexOf((e) => e.kind === "timer_fire");
    const node = stateAt(events, i + 1).nodes[events[i].node];
    const [timer] = recentEndedTimers(node, events[i].t);
    assert.equal(timer.name, events[i].timer);
    assert.equal(timer.ended, "fired");
  });

  test("cancel after thirty ms", () => {
    const i = indexOf((e) => e.kind === "timer_cancel" && e.t > 0);
    const node = stateAt(events, i + 1).nodes[events[i].node];
    const timer = node.endedTimers[events[i].timer];
    assert.equal(timer.ended, "cancelled");
    assert.equal(timer.left, (timer.setAt + timer.ms - events[i].t) / timer.ms);
    assert.ok(timer.left > 0.9, `left ${timer.left}`);
  });

  test("seek equals play around marks", () => {
    const fired = indexOf((e) => e.kind === "timer_fire");
    const formed = indexOf((e) => e.kind === "qc");
    const timeline = new Timeline(events[0], 40);
    timeline.append(events);
    const ks = [];
    for (const i of [formed, fired]) {
      for (let k = i - 5; k <= i + 45; k++) ks.push(k);
    }
    // Backwards as well, so seeks restart from snapshots, not the cursor.
    for (const k of [...ks, ...ks.slice().reverse()]) {
      assert.deepEqual(timeline.seek(k), stateAt(events, k), `k = ${k}`);
    }
    const atFire = timeline.seek(fired + 1);
    const node = atFire.nodes[events[fired].node];
    assert.ok(recentEndedTimers(node, events[fired].t).length > 0);
    const atQc = timeline.seek(formed + 1);
    assert.ok(recentCertificates(atQc, events[formed].t).length > 0);
  });
});
