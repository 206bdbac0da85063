// Tests of the violation summaries, on hand-made evidence and on the
// lagging node of a real toy protocol run.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

import { violationSummary } from "../violations.js";
import { simulate } from "./fixture.mjs";

function commit(node, height, t) {
  return { seq: 1, t, node, height, value: `v${height}`, view: 0, quorum: [0, 1, 2] };
}

describe("violationSummary on given evidence", () => {
  test("run stall names the span", () => {
    const evidence = { from: 1100, to: 2200, stall_ms: 1000, last_commit: commit(3, 3, 1100) };
    const summary = violationSummary({ property: "liveness", evidence });
    assert.equal(summary, "no honest node committed from 1100 to 2200 ms (limit 1000 ms)");
  });

  test("lagging node names its height", () => {
    const evidence = {
      node: 3,
      from: 401,
      to: 1600.25,
      stall_ms: 1000,
      last_commit: commit(3, 1, 104),
      others_last_commit: commit(2, 5, 1303),
      max_height: 5,
    };
    const summary = violationSummary({ property: "liveness", evidence });
    assert.equal(
      summary,
      "node 3 lags: no commit from 401 to 1600.3 ms (limit 1000 ms), at height 1 " +
        "while others reached height 5",
    );
  });

  test("lagging node without commits", () => {
    const evidence = {
      node: 0,
      from: 2000,
      to: 4240,
      stall_ms: 2000,
      last_commit: null,
      others_last_commit: commit(2, 12, 3240),
      max_height: 12,
    };
    const summary = violationSummary({ property: "liveness", evidence });
    assert.match(summary, /^node 0 lags: /);
    assert.match(summary, /with no height committed while others reached height 12$/);
  });

  test("safety violation has no summary", () => {
    const evidence = { height: 1, commits: [commit(0, 1, 5), commit(1, 1, 6)] };
    assert.equal(violationSummary({ property: "agreement", evidence }), null);
  });
});

describe("violationSummary on a simulated run", () => {
  test("partitioned toy node lags", () => {
    // Node 3 is cut off until 2000 ms, and a toy node catches up only from
    // one height behind, so node 3 never commits.
    const scenario = {
      protocol: "toy",
      n: 4,
      network: {
        latency: { dist: "constant", ms: 10 },
        partitions: [{ groups: [[0, 1, 2], [3]], start_ms: 0, heal_ms: 2000 }],
      },
      stop: { time_ms: 6000 },
      liveness: { stall_ms: 2000 },
    };
    const path = join(mkdtempSync(join(tmpdir(), "violations-")), "scenario.json");
    writeFileSync(path, JSON.stringify(scenario));
    const violations = simulate([path]).filter((event) => event.kind === "violation");
    assert.equal(violations.length, 1);
    const summary = violationSummary(violations[0]);
    assert.match(summary, /^node 3 lags: no commit from 2000 to \d+(\.\d)? ms \(limit 2000 ms\)/);
    assert.match(summary, /with no height committed while others reached height \d+$/);
  });
});
