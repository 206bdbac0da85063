// Tests of the tallies per directed link, on hand-made queues and on the
// states of a real PBFT log.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import { drawsTallies, linkTallies } from "../linktally.js";
import { messagesInFlight, Timeline } from "../runstate.js";
import { pbftCrashLog } from "./fixture.mjs";

function message(from, to, category, seq) {
  return { seq, from, to, msg: category, category, sentAt: 0 };
}

describe("linkTallies on given queues", () => {
  const inFlight = {
    "2>0:vote": [message(2, 0, "vote", 5), message(2, 0, "vote", 9)],
    "0>1:vote": [message(0, 1, "vote", 1)],
    "0>1:propose": [message(0, 1, "proposal", 2), message(0, 1, "proposal", 3)],
    "1>0:vote": [message(1, 0, "vote", 4)],
  };

  test("counts messages per directed link", () => {
    const counts = linkTallies(inFlight).map((t) => [t.from, t.to, t.count]);
    assert.deepEqual(counts, [[0, 1, 3], [1, 0, 1], [2, 0, 2]]);
  });

  test("names the most frequent category", () => {
    const [first] = linkTallies(inFlight);
    assert.deepEqual(first.categories, { vote: 1, proposal: 2 });
    assert.equal(first.category, "proposal");
  });

  test("breaks category ties by name", () => {
    const tied = { "3>4:a": [message(3, 4, "vote", 1), message(3, 4, "new_view", 2)] };
    assert.equal(linkTallies(tied)[0].category, "new_view");
  });

  test("leaves its input unchanged", () => {
    const copy = structuredClone(inFlight);
    linkTallies(inFlight);
    assert.deepEqual(inFlight, copy);
  });

  test("returns nothing for no messages", () => {
    assert.deepEqual(linkTallies({}), []);
  });
});

describe("linkTallies over a PBFT log", () => {
  let timeline;
  before(() => {
    const events = pbftCrashLog();
    timeline = new Timeline(events[0]);
    timeline.append(events);
  });

  test("matches a count of messages in flight", () => {
    let counted = 0;
    for (const k of [50, 200, 400, Math.floor(timeline.length / 2)]) {
      const state = timeline.seek(k);
      const expected = {};
      for (const sent of messagesInFlight(state)) {
        const key = `${sent.from}>${sent.to}`;
        expected[key] = (expected[key] || 0) + 1;
      }
      const tallies = linkTallies(state.inFlight);
      const actual = Object.fromEntries(tallies.map((t) => [`${t.from}>${t.to}`, t.count]));
      assert.deepEqual(actual, expected, `event ${k}`);
      counted += tallies.length;
    }
    assert.ok(counted > 0, "no messages in flight at any checked event");
  });
});

test("drawsTallies above 24 nodes", () => {
  assert.equal(drawsTallies(24), false);
  assert.equal(drawsTallies(25), true);
});
