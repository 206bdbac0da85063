// Event logs for the tests, written by the simulator at test time.
//
// QS_EVENTS_PBFT names a log that the caller already wrote (the pytest
// wrapper tests/web/test_runstate_js.py does). Without it the simulator
// runs here, through QS_PYTHON or the repository's .venv.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const PBFT_ARGS = [
  "--protocol", "pbft", "--n", "4", "--fault", "0:crash@300", "--time-ms", "3000",
];

/** Read a JSON lines log into a list of events. */
export function readLog(path) {
  const text = readFileSync(path, "utf8");
  return text.split("\n").filter((line) => line).map((line) => JSON.parse(line));
}

/** Run the simulator with the given flags and return its events. */
export function simulate(args) {
  const python = process.env.QS_PYTHON || join(ROOT, ".venv/bin/python");
  const path = join(mkdtempSync(join(tmpdir(), "runstate-")), "events.jsonl");
  execFileSync(python, ["-m", "consensus", "run", ...args, "--events", path], {
    cwd: ROOT,
    timeout: 60000,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return readLog(path);
}

/** Return the PBFT log: four nodes, node 0 (the first primary) crashes at
 * 300 ms, the others change to view 1. */
export function pbftCrashLog() {
  const path = process.env.QS_EVENTS_PBFT;
  return path ? readLog(path) : simulate(PBFT_ARGS);
}
