// Tests of the run state fold over a real PBFT log and small made-up logs.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import {
  Timeline,
  applyEvent,
  initialState,
  meanLatency,
  messagesInFlight,
  parseEngineState,
  stateAt,
  stateSize,
} from "../runstate.js";
import { pbftCrashLog, simulate } from "./fixture.mjs";

let events;
before(() => {
  events = pbftCrashLog();
});

function indexOf(predicate) {
  const index = events.findIndex(predicate);
  assert.notEqual(index, -1, "the log has no such event");
  return index;
}

describe("seek", () => {
  test("seek matches replay at several k", () => {
    const timeline = new Timeline(events[0], 100);
    timeline.append(events);
    const ks = [0, 1, 6, 99, 100, 101, 777, events.length >> 1, events.length];
    for (const k of [...ks, ...ks.slice().reverse()]) {
      assert.deepEqual(timeline.seek(k), stateAt(events, k), `k = ${k}`);
    }
  });

  test("step forward matches replay", () => {
    const timeline = new Timeline(events[0], 50);
    timeline.append(events);
    for (let k = 880; k < 940; k++) {
      assert.deepEqual(timeline.seek(k), stateAt(events, k), `k = ${k}`);
    }
  });

  test("short step past snapshot replays", () => {
    const timeline = new Timeline(events[0], 100);
    timeline.append(events);
    const before = timeline.seek(95);
    const after = timeline.seek(105);
    assert.equal(after, before, "the cursor's state was replaced by a copy");
    assert.deepEqual(after, stateAt(events, 105));
  });

  test("long jump copies snapshot", () => {
    const timeline = new Timeline(events[0], 100);
    timeline.append(events);
    const before = timeline.seek(95);
    const target = events.length - 5;
    const after = timeline.seek(target);
    assert.notEqual(after, before, "the cursor replayed the whole log");
    assert.deepEqual(after, stateAt(events, target));
  });

  test("snapshots survive caller mutation", () => {
    const timeline = new Timeline(events[0], 100);
    timeline.append(events);
    const state = timeline.seek(250);
    state.nodes[1].view = 99;
    state.counters.messages.prepare = -1;
    timeline.seek(1000);
    assert.deepEqual(timeline.seek(250), stateAt(events, 250));
  });

  test("append skips events already held", () => {
    const timeline = new Timeline(events[0], 100);
    timeline.append(events.slice(0, 300));
    timeline.append(events.slice(200, 600));
    assert.equal(timeline.length, 600);
    assert.deepEqual(timeline.seek(600), stateAt(events, 600));
  });

  test("snapshot gaps grow with state", () => {
    const timeline = new Timeline(events[0], 100);
    timeline.append(events);
    const ks = timeline.snapshots.map((snapshot) => snapshot.k);
    const gaps = ks.slice(1).map((k, i) => k - ks[i]);
    const last = timeline.snapshots[timeline.snapshots.length - 1];
    assert.ok(gaps.every((gap) => gap >= 100), `gaps ${gaps}`);
    assert.ok(gaps[gaps.length - 1] > 300, `gaps ${gaps}`);
    assert.ok(last.k > events.length - 2 * stateSize(last.state) - 100);
  });

  test("count at time finds the boundary", () => {
    const timeline = new Timeline(events[0]);
    timeline.append(events);
    const k = timeline.countAtTime(300);
    assert.ok(events[k - 1].t <= 300);
    assert.ok(events[k].t > 300);
  });
});

describe("pbft crash log", () => {
  test("first lock records view and value", () => {
    const i = indexOf((e) => e.kind === "lock");
    const lock = stateAt(events, i + 1).nodes[events[i].node].lock;
    assert.equal(lock.view, events[i].view);
    assert.equal(lock.value, events[i].value);
  });

  test("unlock clears the lock", () => {
    const i = indexOf((e) => e.kind === "unlock");
    const node = events[i].node;
    assert.equal(stateAt(events, i + 1).nodes[node].lock, null);
  });

  test("prepared certificate keeps signers", () => {
    const i = indexOf((e) => e.kind === "prepared");
    const prepared = stateAt(events, i + 1).nodes[events[i].node].prepared;
    assert.deepEqual(prepared.signers, events[i].signers);
  });

  test("commits grow per height", () => {
    const final = stateAt(events, events.length);
    const heights = final.nodes[1].committed.map((commit) => commit.height);
    assert.ok(heights.length > 20, `only ${heights.length} commits`);
    assert.deepEqual(heights, heights.map((_, i) => i + 1));
    assert.deepEqual(Object.keys(final.commits[1]), ["h1.v0.n0"]);
    assert.deepEqual(final.commits[1]["h1.v0.n0"], [0, 1, 2, 3]);
    assert.deepEqual(final.forks, []);
  });

  test("state timer drains from set", () => {
    const i = indexOf((e) => e.kind === "timer_set" && e.node === 1);
    const timer = stateAt(events, i + 1).nodes[1].timers.state;
    assert.equal(timer.kind, "state");
    assert.equal(timer.setAt, events[i].t);
    assert.equal(timer.ms, 1000);
    assert.equal(timer.due, events[i].t + 1000);
  });

  test("timer fire removes timer", () => {
    const i = indexOf((e) => e.kind === "timer_fire" && e.node === 1);
    assert.ok(stateAt(events, i).nodes[1].timers.state);
    assert.equal(stateAt(events, i + 1).nodes[1].timers.state, undefined);
  });

  test("crash marks node and behaviour", () => {
    const i = indexOf((e) => e.kind === "fault" && e.action === "crash");
    assert.equal(stateAt(events, i).nodes[0].crashed, false);
    const node = stateAt(events, i + 1).nodes[0];
    assert.equal(node.crashed, true);
    assert.equal(node.fault.behaviour, "crash");
    assert.deepEqual(node.timers, {});
  });

  test("view change moves view and leader", () => {
    const i = indexOf((e) => e.kind === "view_change");
    const node = stateAt(events, i + 1).nodes[events[i].node];
    assert.equal(node.view, 1);
    assert.equal(node.leader, 1);
  });

  test("new view phase follows state", () => {
    const i = indexOf((e) => e.kind === "state" && e.state[0] === "view_change");
    const node = stateAt(events, i + 1).nodes[events[i].node];
    assert.equal(node.phase, "view_change");
    assert.equal(node.view, events[i].state[1]);
  });

  test("view change status is kept", () => {
    const i = indexOf((e) => e.kind === "view_change_status");
    const status = stateAt(events, i + 1).viewChanges[events[i].view];
    assert.equal(status.leader, events[i].leader);
    assert.deepEqual(status.reports, events[i].reports);
  });

  test("in flight follows sends and arrivals", () => {
    const state = initialState(events[0]);
    let expected = 0;
    for (const event of events) {
      applyEvent(state, event);
      if (event.kind === "send") expected += 1;
      if (event.kind === "deliver" && !event.duplicate) expected -= 1;
      if (event.kind === "drop" && event.reason !== "fault") expected -= 1;
      assert.equal(messagesInFlight(state).length, expected, `seq ${event.seq}`);
    }
  });

  test("arrival times of retired sends", () => {
    const timeline = new Timeline(events[0]);
    timeline.append(events);
    const send = events.find((e) => e.kind === "send" && e.to === 1);
    const sameMessage = (e) => e.from === send.node && e.msg === send.msg;
    const deliver = events.find(
      (e) => e.kind === "deliver" && e.node === 1 && sameMessage(e),
    );
    const crashed = events.find((e) => e.kind === "drop" && e.reason === "crashed");
    const lost = stateAt(events, events.indexOf(crashed));
    const victim = messagesInFlight(lost).find(
      (m) => m.from === crashed.node && m.to === crashed.to && m.msg === crashed.msg,
    );
    assert.equal(timeline.arrivalOf(send.seq), deliver.t);
    assert.equal(timeline.arrivalOf(victim.seq), crashed.t);
    for (const message of messagesInFlight(timeline.head)) {
      assert.equal(timeline.arrivalOf(message.seq), undefined);
    }
  });

  test("message counters by type", () => {
    const final = stateAt(events, events.length);
    const summary = events[events.length - 1].summary;
    assert.deepEqual(final.counters.messages, summary.messages_by_type);
    assert.equal(final.end.reason, "time");
  });
});

describe("made-up logs", () => {
  const start = {
    seq: 1,
    t: 0,
    kind: "run_start",
    schema_version: 1,
    seed: 1,
    scenario: {
      protocol: "hotstuff",
      n: 4,
      faults: [{ node: 3, behaviour: "equivocate" }],
      network: {
        latency: { dist: "uniform", low_ms: 5, high_ms: 15 },
        links: [
          { from: 0, to: 1, latency: { dist: "normal", mean_ms: 40, stdev_ms: 5 } },
        ],
      },
    },
  };

  const VOTE = { node: 0, msg: "vote" };

  function fold(rest) {
    const log = [start, ...rest.map((event, i) => ({ seq: i + 2, t: 5, ...event }))];
    return stateAt(log, log.length);
  }

  test("postponed count resets on state", () => {
    const postpone = { kind: "postpone", node: 0, msg: "propose" };
    const enter = { kind: "state", node: 0, state: [1, "prepare"] };
    enter.from_state = [0, "prepare"];
    assert.equal(fold([postpone, postpone]).nodes[0].postponed, 2);
    assert.equal(fold([postpone, postpone, enter]).nodes[0].postponed, 0);
    assert.equal(fold([postpone, enter, postpone]).nodes[0].postponed, 1);
  });

  test("faulty behaviour comes from scenario", () => {
    const state = fold([]);
    assert.equal(state.nodes[3].fault.behaviour, "equivocate");
    assert.equal(state.nodes[0].fault, null);
  });

  test("second value at height forks", () => {
    const commit = (node, value) => ({ kind: "commit", node, height: 1, value });
    const commits = [commit(0, "a"), commit(1, "b"), commit(2, "b"), commit(3, "c")];
    const state = fold(commits);
    assert.deepEqual(state.forks, [1, 1]);
    assert.deepEqual(state.commits[1], { a: [0], b: [1, 2], c: [3] });
  });

  test("violation keeps its evidence", () => {
    const evidence = { height: 1, values: ["a", "b"] };
    const state = fold([{ kind: "violation", property: "agreement", evidence }]);
    assert.equal(state.violations.length, 1);
    assert.equal(state.violations[0].property, "agreement");
    assert.deepEqual(state.violations[0].evidence, evidence);
  });

  test("loss drop retires newest send", () => {
    const send = (view) => ({ ...VOTE, kind: "send", to: 1, category: "vote", view });
    const drop = { ...VOTE, kind: "drop", to: 1, reason: "loss" };
    const state = fold([send(1), send(2), drop]);
    assert.deepEqual(messagesInFlight(state).map((m) => m.view), [1]);
  });

  test("deliver retires oldest send", () => {
    const send = (view) => ({ ...VOTE, kind: "send", to: 1, category: "vote", view });
    const deliver = { kind: "deliver", node: 1, from: 0, msg: "vote", view: 1 };
    const state = fold([send(1), send(2), deliver, { ...deliver, duplicate: true }]);
    assert.deepEqual(messagesInFlight(state).map((m) => m.view), [2]);
  });

  test("highest qc keeps the maximum", () => {
    const qc = (view) => ({
      kind: "qc",
      node: 0,
      view,
      height: 1,
      phase: "prepare",
      value: "v",
      signers: [0, 1, 2],
    });
    assert.equal(fold([qc(2), qc(1)]).nodes[0].qc.view, 2);
  });

  test("expected latency from uniform", () => {
    assert.equal(fold([]).latencyMs, 10);
  });

  test("link latency overrides the default", () => {
    assert.deepEqual(fold([]).linkLatencyMs, { "0>1": 40 });
  });
});

describe("mean latency", () => {
  const cases = [
    [{ dist: "constant", ms: 7 }, 7],
    [{ dist: "uniform", low_ms: 4, high_ms: 8 }, 6],
    [{ dist: "normal", mean_ms: 12, stdev_ms: 3 }, 12],
    [{ dist: "exponential", mean_ms: 9 }, 9],
    [{ dist: "lognormal", mu: 2, sigma: 0 }, Math.exp(2)],
  ];
  for (const [latency, mean] of cases) {
    test(`${latency.dist} mean`, () => {
      assert.equal(meanLatency(latency), mean);
    });
  }
});

describe("parse engine state", () => {
  const cases = [
    ["pbft", ["normal", 2, 7], { phase: "normal", view: 2, height: 7 }],
    ["pbft", ["view_change", 3], { phase: "view_change", view: 3 }],
    ["tendermint", ["prevote", 4, 1], { phase: "prevote", height: 4, view: 1 }],
    ["hotstuff", [5, "commit"], { phase: "commit", view: 5 }],
    ["chained_hotstuff", 6, { phase: null, view: 6 }],
  ];
  for (const [protocol, engineState, expected] of cases) {
    test(`${protocol} ${JSON.stringify(engineState)}`, () => {
      assert.deepEqual(parseEngineState(protocol, engineState), expected);
    });
  }
});

describe("other protocols", () => {
  const runs = [
    ["tendermint", "1:equivocate"],
    ["hotstuff", "1:equivocate"],
    ["hotstuff2", "2:crash@400"],
    ["chained_hotstuff", "3:double_vote"],
  ];
  for (const [protocol, fault] of runs) {
    test(`${protocol} seek matches replay`, () => {
      const args = ["--protocol", protocol, "--n", "4", "--fault", fault];
      const log = simulate([...args, "--time-ms", "2000"]);
      const timeline = new Timeline(log[0], 200);
      timeline.append(log);
      for (const k of [log.length, 450, 1, log.length >> 1]) {
        assert.deepEqual(timeline.seek(k), stateAt(log, k), `k = ${k}`);
      }
      const final = timeline.seek(log.length);
      const honest = final.nodes.find((node) => node.fault === null);
      assert.ok(honest.committed.length > 0, "an honest node committed nothing");
      assert.ok(honest.view > 0 || protocol === "tendermint", "views never advanced");
      const [node, behaviour] = fault.split("@")[0].split(":");
      assert.equal(final.nodes[Number(node)].fault.behaviour, behaviour);
    });
  }

  test("twins instances kept apart", () => {
    const args = ["--protocol", "hotstuff", "--n", "4", "--fault", "0:twins"];
    const log = simulate([...args, "--time-ms", "2000"]);
    const timeline = new Timeline(log[0], 100);
    timeline.append(log);
    const final = timeline.seek(log.length);
    const commitsOf = (twin) =>
      log.filter((e) => e.kind === "commit" && e.node === 0 && !e.twin === !twin);
    assert.equal(final.nodes[0].committed.length, commitsOf(false).length);
    assert.equal(final.twins[0].committed.length, commitsOf(true).length);
    assert.ok(commitsOf(true).length > 0, "the second instance committed nothing");
    assert.equal(final.twins[0].fault.behaviour, "twins");
    assert.deepEqual(timeline.seek(log.length >> 1), stateAt(log, log.length >> 1));
  });

  test("tendermint valid and round", () => {
    const log = simulate(["--protocol", "tendermint", "--n", "4", "--time-ms", "500"]);
    const i = log.findIndex((e) => e.kind === "valid");
    const node = stateAt(log, i + 1).nodes[log[i].node];
    assert.equal(node.valid.value, log[i].value);
    assert.equal(node.height, log[i].height);
  });

  test("hotstuff key follows event", () => {
    const log = simulate(["--protocol", "hotstuff", "--n", "4", "--time-ms", "500"]);
    const i = log.findIndex((e) => e.kind === "key");
    const node = stateAt(log, i + 1).nodes[log[i].node];
    assert.equal(node.key.value, log[i].value);
    assert.equal(node.key.view, log[i].view);
  });
});
