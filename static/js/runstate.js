// Run state: folds the event log (docs/events.md) into what a renderer draws.
//
// The state is plain data (objects, arrays, numbers, strings, null), so
// structuredClone copies it and two folds of the same events are equal.
// applyEvent mutates the state it is given and returns it. A Timeline keeps
// deep copies of the state at least `every` events apart, and further apart
// as the state grows. seek(k) replays from the nearest copy at or before k,
// so seeking to k gives the same state as playing events 1..k.
//
// Certificates formed and timers that ended are kept for MARK_MS of
// simulated time after the event, so a renderer can mark those moments.
// Entries older than that go when the next entry of their kind is added,
// so a state contains a few of them besides the ones still drawn.
//
// Messages in flight: a send is matched by the first deliver or drop with
// the same (from, to, msg). A deliver and a drop for a crashed receiver
// take the oldest send of that triple (FIFO). A drop for loss or partition
// is logged right after its send, so it takes the newest. A deliver marked
// "duplicate" is a second copy and takes none. Drops with reason "fault"
// have no send. NOTE: with random latency a later message of the same
// triple can arrive first. FIFO then retires the wrong one of the two, which
// misplaces only those two messages in the animation.

// Events between snapshots, per four nodes. A snapshot's size grows with
// the messages in flight (about n^2), and the events per height too, so
// spacing snapshots by n keeps both the copies and a seek's replay short.
// At n = 64 (8,000 events apart) a copy and a cold seek each took about 10
// ms in Node 20 on a shared two-core machine, an estimate for browsers.
export const SNAPSHOT_EVERY = 500;

/** Simulated time (ms) for which a certificate or an ended timer is kept
 * and marked. */
export const MARK_MS = 200;

/** Return the snapshot interval (events) for a run of n nodes. */
export function snapshotInterval(n) {
  return SNAPSHOT_EVERY * Math.max(1, Math.ceil(n / 4));
}

// Events between snapshots per entry of the state. The commit history grows
// with the log, so a fixed interval would keep a quadratic amount of copies.
// Spacing by size keeps the snapshots of a log linear in its length, and a
// cold seek replays about as long as a copy takes. In Node 20, applying an
// event took about 1 µs and copying an entry 1 to 3 µs.
const EVENTS_PER_ENTRY = 2;

/** Return the number of entries of a state's growing parts: commits, messages
 * in flight, committed heights, leaders, view changes and violations. */
export function stateSize(state) {
  let size = state.violations.length + Object.keys(state.commits).length;
  size += state.forks.length;
  size += Object.keys(state.leaders).length + Object.keys(state.viewChanges).length;
  for (const node of allNodes(state)) size += node.committed.length;
  for (const queue of Object.values(state.inFlight)) size += queue.length;
  return size;
}

/** Return the empty state of a run from its scenario (a run_start event or
 * the websocket's meta message: either carries `scenario`). */
export function initialState(meta) {
  const scenario = meta.scenario;
  const n = scenario.n;
  const behaviours = faultBehaviours(scenario.faults || []);
  const nodes = [];
  for (let id = 0; id < n; id++) nodes.push(newNode(id, behaviours[id] || null));
  return {
    protocol: scenario.protocol,
    n,
    scenario,
    latencyMs: meanLatency(scenario.network && scenario.network.latency),
    linkLatencyMs: linkLatencies(scenario.network),
    seq: 0,
    t: 0,
    nodes,
    twins: {},
    inFlight: {},
    commits: {},
    // Heights at which a second value was committed, in log order.
    forks: [],
    violations: [],
    viewChanges: {},
    leaders: {},
    // Recent certificates (see MARK_MS), oldest first: the qc event's fields
    // with `node`, `twin` (true for a second instance) and `t`.
    certificates: [],
    counters: {
      events: {},
      messages: {},
      sent: 0,
      delivered: 0,
      duplicates: 0,
      dropped: {},
    },
    end: null,
  };
}

function newNode(id, fault) {
  return {
    id,
    view: 0,
    height: null,
    phase: null,
    engineState: null,
    leader: null,
    fault,
    crashed: false,
    lock: null,
    key: null,
    prepared: null,
    valid: null,
    qc: null,
    lastVote: null,
    timers: {},
    // Recent timers that fired or were cancelled (see MARK_MS), by name.
    endedTimers: {},
    postponed: 0,
    committed: [],
  };
}

function faultBehaviours(faults) {
  const behaviours = {};
  for (const fault of faults) {
    behaviours[fault.node] = { ...fault };
  }
  return behaviours;
}

/** Return the mean (ms) of a latency model of docs/scenario.md, which sets
 * how fast a renderer moves a message before it arrives. */
export function meanLatency(latency) {
  switch (latency && latency.dist) {
    case "constant":
      return latency.ms;
    case "uniform":
      return (latency.low_ms + latency.high_ms) / 2;
    case "normal":
    case "exponential":
      return latency.mean_ms;
    case "lognormal":
      return Math.exp(latency.mu + (latency.sigma * latency.sigma) / 2);
    default:
      return 10;
  }
}

/** Return the mean latency (ms) of each link override, keyed "from>to". */
function linkLatencies(network) {
  const means = {};
  for (const link of (network && network.links) || []) {
    means[`${link.from}>${link.to}`] = meanLatency(link.latency);
  }
  return means;
}

/** Apply one event to the state (mutating it) and return the state. When a
 * deliver or drop takes a message out of flight, `onRetire(message, event)`
 * is called if given. */
export function applyEvent(state, event, onRetire = null) {
  state.seq = event.seq;
  state.t = event.t;
  const counts = state.counters.events;
  counts[event.kind] = (counts[event.kind] || 0) + 1;
  const handler = HANDLERS[event.kind];
  if (handler) handler(state, event, onRetire);
  return state;
}

/** Return the state after the first k events of a log whose event 1 is
 * run_start. */
export function stateAt(events, k) {
  const state = initialState(events[0]);
  const end = Math.min(k, events.length);
  for (let i = 0; i < end; i++) applyEvent(state, events[i]);
  return state;
}

/** Return a deep copy of a state. */
export function cloneState(state) {
  return structuredClone(state);
}

// --- node events ------------------------------------------------------------

/** Return the node an event belongs to. Events of the second instance of a
 * twins node (twin: 1) go to its own entry in `state.twins`. */
function nodeOf(state, event) {
  const node = state.nodes[event.node];
  if (!node || !event.twin) return node || null;
  state.twins[event.node] ||= { ...newNode(node.id, node.fault), twin: true };
  return state.twins[event.node];
}

function onState(state, event) {
  const node = nodeOf(state, event);
  if (!node) return;
  node.engineState = event.state;
  Object.assign(node, parseEngineState(state.protocol, event.state));
  node.postponed = 0;
  if (event.from_state === null) {
    node.crashed = false;
    node.timers = {};
  }
  node.leader = leaderOf(state, node);
}

/** Split an engine state into view, height and phase. PBFT uses
 * ["normal", view, height] and ["view_change", view]. Tendermint uses
 * [step, height, round], and its round is shown as the view. The HotStuff
 * family uses [view, phase] or the view alone. */
export function parseEngineState(protocol, engineState) {
  const parts = Array.isArray(engineState) ? engineState : [engineState];
  const words = parts.filter((part) => typeof part === "string");
  const numbers = parts.filter((part) => typeof part === "number");
  const phase = words.length ? words.join(" ") : null;
  if (protocol === "tendermint") {
    return { phase, height: numbers[0] ?? null, view: numbers[1] ?? 0 };
  }
  const parsed = { phase, view: numbers[0] ?? 0 };
  if (numbers.length > 1) parsed.height = numbers[1];
  return parsed;
}

/** Return the leader of the node's current view. That is the proposer seen
 * in that view, else the rotation rule: (height - 1 + round) mod n for
 * Tendermint (round mod n when stable) and view mod n for the others. */
function leaderOf(state, node) {
  const seen = state.leaders[leaderKey(state, node.view, node.height)];
  if (seen !== undefined) return seen;
  const n = state.n;
  if (state.protocol === "tendermint") {
    const params = state.scenario.params || {};
    const height = node.height || 1;
    const offset = params.leader_rotation === "stable" ? 0 : height - 1;
    return (((offset + node.view) % n) + n) % n;
  }
  return ((node.view % n) + n) % n;
}

function leaderKey(state, view, height) {
  return state.protocol === "tendermint" ? `${height}/${view}` : `${view}`;
}

function onPropose(state, event) {
  state.leaders[leaderKey(state, event.view, event.height)] = event.node;
  for (const node of allNodes(state)) node.leader = leaderOf(state, node);
}

/** Return the nodes and the second instances of twins nodes. */
export function allNodes(state) {
  return [...state.nodes, ...Object.values(state.twins)];
}

function onViewChange(state, event) {
  const node = nodeOf(state, event);
  if (!node) return;
  node.view = event.view;
  node.leader = leaderOf(state, node);
}

function onPostpone(state, event) {
  const node = nodeOf(state, event);
  if (node) node.postponed += 1;
}

function onTimerSet(state, event) {
  const node = nodeOf(state, event);
  if (!node) return;
  const due = event.absolute ? event.ms : event.t + event.ms;
  node.timers[event.timer] = {
    name: event.timer,
    kind: timerKind(event.timer),
    setAt: event.t,
    ms: due - event.t,
    due,
  };
}

function timerKind(name) {
  return name === "event" || name === "state" ? name : "named";
}

function onTimerEnd(state, event) {
  const node = nodeOf(state, event);
  if (!node) return;
  const timer = node.timers[event.timer];
  delete node.timers[event.timer];
  for (const [name, ended] of Object.entries(node.endedTimers)) {
    if (ended.endedAt < event.t - MARK_MS) delete node.endedTimers[name];
  }
  const ms = timer ? timer.ms : 0;
  const left = timer && ms > 0 ? Math.max(0, (timer.due - event.t) / ms) : 0;
  node.endedTimers[event.timer] = {
    name: event.timer,
    kind: timerKind(event.timer),
    ended: event.kind === "timer_fire" ? "fired" : "cancelled",
    setAt: timer ? timer.setAt : null,
    ms,
    endedAt: event.t,
    left,
  };
}

/** Return the node's timers that ended at most MARK_MS before `now`, sorted
 * by name. Each has `ended` ("fired" or "cancelled"), `endedAt` and `left`,
 * the share of its time that remained when it ended. */
export function recentEndedTimers(node, now) {
  const timers = Object.values(node.endedTimers);
  const recent = timers.filter((timer) => isRecent(timer.endedAt, now));
  return recent.sort((a, b) => a.name.localeCompare(b.name));
}

function isRecent(t, now) {
  return t <= now && now - t <= MARK_MS;
}

function certificate(event, fields) {
  const copy = {};
  for (const field of fields) {
    if (event[field] !== undefined) copy[field] = event[field];
  }
  copy.t = event.t;
  return copy;
}

const CERT_FIELDS = ["view", "height", "phase", "value", "signers"];

function recordOn(field) {
  return (state, event) => {
    const node = nodeOf(state, event);
    if (node) node[field] = certificate(event, CERT_FIELDS);
  };
}

function onUnlock(state, event) {
  const node = nodeOf(state, event);
  if (node) node.lock = null;
}

// NOTE: a qc event is logged by the node that formed the certificate, so in
// the HotStuff family `qc` is the highest certificate the node collected as
// leader, not the highest it received inside a proposal.
function onQc(state, event) {
  const node = nodeOf(state, event);
  if (!node) return;
  const qc = certificate(event, CERT_FIELDS);
  if (!node.qc || rank(qc) >= rank(node.qc)) node.qc = qc;
  // The list is in log order, so times never decrease and the old entries
  // are at its front.
  const certificates = state.certificates;
  let old = 0;
  while (old < certificates.length && certificates[old].t < event.t - MARK_MS) old++;
  if (old > 0) certificates.splice(0, old);
  certificates.push({ ...qc, node: event.node, twin: Boolean(event.twin) });
}

/** Return the newest certificate per node formed at most MARK_MS before
 * `now`, in the order they formed. Second instances of twins nodes count as
 * nodes of their own. */
export function recentCertificates(state, now) {
  const newest = new Map();
  for (const certificate of state.certificates) {
    if (!isRecent(certificate.t, now)) continue;
    const key = `${certificate.node}${certificate.twin ? "'" : ""}`;
    newest.delete(key);
    newest.set(key, certificate);
  }
  return [...newest.values()];
}

function rank(qc) {
  return [qc.view ?? -1, qc.height ?? -1];
}

function onCommit(state, event) {
  const node = nodeOf(state, event);
  if (node) {
    node.committed.push({ height: event.height, value: event.value, t: event.t });
    // PBFT and Tendermint name the height in the engine state; the others
    // work on the height after the highest commit.
    if (!HEIGHT_IN_STATE.has(state.protocol)) {
      node.height = Math.max(node.height ?? 0, event.height + 1);
    }
  }
  const byValue = (state.commits[event.height] ||= {});
  const committer = event.twin ? `${event.node}'` : event.node;
  if (!byValue[event.value] && Object.keys(byValue).length > 0) {
    state.forks.push(event.height);
  }
  (byValue[event.value] ||= []).push(committer);
}

const HEIGHT_IN_STATE = new Set(["pbft", "tendermint"]);

function onFault(state, event) {
  const node = nodeOf(state, event);
  if (!node) return;
  if (!node.fault) node.fault = { node: event.node, behaviour: event.behaviour };
  if (event.action === "crash") {
    node.crashed = true;
    node.timers = {};
    node.postponed = 0;
  } else if (event.action === "recover") {
    node.crashed = false;
  }
}

// --- run-wide events ----------------------------------------------------------

function channel(from, to, msg) {
  return `${from}>${to}:${msg}`;
}

function onSend(state, event) {
  const counters = state.counters;
  counters.sent += 1;
  counters.messages[event.msg] = (counters.messages[event.msg] || 0) + 1;
  const key = channel(event.node, event.to, event.msg);
  (state.inFlight[key] ||= []).push({
    seq: event.seq,
    from: event.node,
    to: event.to,
    msg: event.msg,
    category: event.category,
    view: event.view,
    sentAt: event.t,
  });
}

function retire(state, key, newest, event, onRetire) {
  const queue = state.inFlight[key];
  if (!queue || queue.length === 0) return;
  const message = newest ? queue.pop() : queue.shift();
  if (queue.length === 0) delete state.inFlight[key];
  if (onRetire) onRetire(message, event);
}

function onDeliver(state, event, onRetire) {
  if (event.duplicate) {
    state.counters.duplicates += 1;
    return;
  }
  state.counters.delivered += 1;
  retire(state, channel(event.from, event.node, event.msg), false, event, onRetire);
}

function onDrop(state, event, onRetire) {
  const dropped = state.counters.dropped;
  dropped[event.reason] = (dropped[event.reason] || 0) + 1;
  if (event.reason === "fault") return;
  const atSend = event.reason === "loss" || event.reason === "partition";
  const key = channel(event.node, event.to, event.msg);
  retire(state, key, atSend, event, onRetire);
}

function onViewChangeStatus(state, event) {
  state.viewChanges[event.view] = {
    view: event.view,
    leader: event.leader,
    node: event.node,
    reports: event.reports,
    t: event.t,
  };
}

function onViolation(state, event) {
  state.violations.push({
    seq: event.seq,
    t: event.t,
    property: event.property,
    evidence: event.evidence,
  });
}

function onRunStart(state, event) {
  const behaviours = faultBehaviours(event.scenario.faults || []);
  for (const node of state.nodes) node.fault = behaviours[node.id] || null;
}

function onRunEnd(state, event) {
  state.end = { reason: event.reason, summary: event.summary };
}

const HANDLERS = {
  run_start: onRunStart,
  run_end: onRunEnd,
  state: onState,
  propose: onPropose,
  view_change: onViewChange,
  postpone: onPostpone,
  timer_set: onTimerSet,
  timer_cancel: onTimerEnd,
  timer_fire: onTimerEnd,
  vote: recordOn("lastVote"),
  qc: onQc,
  lock: recordOn("lock"),
  unlock: onUnlock,
  key: recordOn("key"),
  prepared: recordOn("prepared"),
  valid: recordOn("valid"),
  commit: onCommit,
  fault: onFault,
  send: onSend,
  deliver: onDeliver,
  drop: onDrop,
  view_change_status: onViewChangeStatus,
  violation: onViolation,
};

/** Return the messages in flight as one flat list, oldest send first. */
export function messagesInFlight(state) {
  const messages = [];
  for (const queue of Object.values(state.inFlight)) messages.push(...queue);
  messages.sort((a, b) => a.seq - b.seq);
  return messages;
}

/** An append-only event log with snapshots, for live play and seeking. */
export class Timeline {
  constructor(meta, every = snapshotInterval(meta.scenario.n)) {
    this.meta = meta;
    this.every = every;
    this.events = [];
    this.head = initialState(meta);
    this.snapshots = [{ k: 0, state: cloneState(this.head) }];
    this.nextSnapshot = every;
    this.cursor = null;
    // Whether the log contains the run's last event. Until then more events may
    // come with the newest event's time.
    this.complete = false;
    // Time (ms) at which each retired send (by seq) was delivered or dropped.
    this.arrivals = new Map();
    this.recordArrival = (message, event) => this.arrivals.set(message.seq, event.t);
  }

  get length() {
    return this.events.length;
  }

  /** Append events in seq order; events already held are skipped. */
  append(events) {
    for (const event of events) {
      if (event.seq <= this.head.seq) continue;
      this.events.push(event);
      applyEvent(this.head, event, this.recordArrival);
      if (this.events.length >= this.nextSnapshot) this.snapshot();
    }
  }

  snapshot() {
    const k = this.events.length;
    this.snapshots.push({ k, state: cloneState(this.head) });
    const spacing = EVENTS_PER_ENTRY * stateSize(this.head);
    this.nextSnapshot = k + Math.max(this.every, spacing);
  }

  /** Return the state after the first k events. The result is owned by the
   * timeline and changes on the next seek; clone it to keep it. */
  seek(k) {
    const target = Math.max(0, Math.min(k, this.events.length));
    const cursor = this.cursor;
    const snapshot = this.snapshotBefore(target);
    // Playback passes a snapshot every few frames. Replaying on from the
    // cursor is cheaper than a copy while the cursor is fewer events behind
    // the snapshot than the copy costs (EVENTS_PER_ENTRY per entry). Copying
    // at every snapshot took about a third of the script time in one
    // Chromium profile of PBFT at n = 64 playing at 1x.
    let reusable = cursor !== null && cursor.k <= target;
    if (reusable && cursor.k < snapshot.k) {
      const copyCost = EVENTS_PER_ENTRY * stateSize(snapshot.state);
      reusable = snapshot.k - cursor.k <= copyCost;
    }
    if (!reusable) {
      this.cursor = { k: snapshot.k, state: cloneState(snapshot.state) };
    }
    while (this.cursor.k < target) {
      applyEvent(this.cursor.state, this.events[this.cursor.k]);
      this.cursor.k += 1;
    }
    return this.cursor.state;
  }

  snapshotBefore(k) {
    let low = 0;
    let high = this.snapshots.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.snapshots[middle].k <= k) low = middle;
      else high = middle - 1;
    }
    return this.snapshots[low];
  }

  /** Return the time (ms) at which the send with this seq left the network
   * by deliver or drop, or undefined while it is in flight at the head. */
  arrivalOf(seq) {
    return this.arrivals.get(seq);
  }

  /** Return the number of events with time at most t (ms). */
  countAtTime(t) {
    return this.countWhere((time) => time <= t);
  }

  /** Return the number of events with time below t (ms). */
  countBeforeTime(t) {
    return this.countWhere((time) => time < t);
  }

  /** Return the length of the longest prefix of the log whose event times
   * all satisfy `predicate`, which must be true for a prefix of the times. */
  countWhere(predicate) {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (predicate(this.events[middle].t)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
