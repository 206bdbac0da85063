// One-line summaries of checker violations for the run page. The evidence
// of each kind is listed under the violation event in docs/events.md.

/** Format a simulated time (ms) with at most one decimal. */
function formatMs(ms) {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
}

/** Return a sentence on a liveness violation, or null for the other
 * properties, whose evidence the page shows as JSON only. A lagging node's
 * evidence has a `node` key, and a stall of the whole run has none. */
export function violationSummary(violation) {
  if (violation.property !== "liveness") return null;
  const evidence = violation.evidence;
  const span = `from ${formatMs(evidence.from)} to ${formatMs(evidence.to)} ms`;
  const limit = `(limit ${formatMs(evidence.stall_ms)} ms)`;
  if (evidence.node === undefined) {
    return `no honest node committed ${span} ${limit}`;
  }
  const own = evidence.last_commit
    ? `at height ${evidence.last_commit.height}`
    : "with no height committed";
  return (
    `node ${evidence.node} lags: no commit ${span} ${limit}, ${own} ` +
    `while others reached height ${evidence.max_height}`
  );
}
