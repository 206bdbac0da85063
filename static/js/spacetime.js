// The space-time diagram of a run as plain data: one lane per node, time on
// the x axis, and the messages, drops and commits of a window of simulated
// time that ends at the playback time.
//
// spacetimeWindow reads only a Timeline of runstate.js (its events, its
// arrival times and its head's latencies) and never seeks it, so calling it
// on each frame leaves the player's cursor alone. Every point it returns lies
// inside the window [t - windowMs, t]. An arrow that starts before the
// window or ends after t is cut at the window's edge, and its lane there is
// interpolated between the sender's and the receiver's.
//
// NOTE: only sends from one window before the window's start are read, so a
// message in flight for longer than two windows is not drawn.

/** Default width (ms of simulated time) of the window. */
export const WINDOW_MS = 200;

/** Return the lanes, arrows and marks of the window [t - windowMs, t] of the
 * timeline's events. An arrow is a send, cut to the window, with `start` and
 * `end` points ({lane, t}), `arrived` (the deliver or drop is at or before
 * t) and `dropped`. A mark is a commit or fault action on a lane. */
export function spacetimeWindow(timeline, t, windowMs = WINDOW_MS) {
  const from = t - windowMs;
  const lanes = [];
  for (let id = 0; id < timeline.meta.scenario.n; id++) lanes.push({ id });
  const first = firstAtOrAfter(timeline.events, from - windowMs);
  const last = timeline.countAtTime(t);
  const window = { from, to: t };
  const drops = dropTimes(timeline.events, first, last);
  const arrows = [];
  const marks = [];
  for (let i = first; i < last; i++) {
    const event = timeline.events[i];
    if (event.kind === "send") {
      const arrow = arrowOf(timeline, event, drops, window);
      if (arrow) arrows.push(arrow);
    } else if (event.t >= from && MARK_KINDS.has(event.kind)) {
      marks.push(markOf(event));
    }
  }
  return { from, to: t, lanes, arrows, marks };
}

const MARK_KINDS = new Set(["commit", "fault"]);

/** Return the index of the first event at or after time t (ms). */
function firstAtOrAfter(events, t) {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (events[middle].t < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

function channel(from, to, msg) {
  return `${from}>${to}:${msg}`;
}

/** Return, per channel, the times of the drops (other than fault drops,
 * which have no send) among events[first..end). */
function dropTimes(events, first, end) {
  const drops = new Map();
  for (let i = first; i < end; i++) {
    const event = events[i];
    if (event.kind !== "drop" || event.reason === "fault") continue;
    const key = channel(event.node, event.to, event.msg);
    if (!drops.has(key)) drops.set(key, new Set());
    drops.get(key).add(event.t);
  }
  return drops;
}

/** Return the arrow of a send cut to the window, or null when the message
 * left the network before the window began. */
function arrowOf(timeline, send, drops, window) {
  const key = channel(send.node, send.to, send.msg);
  const known = timeline.arrivalOf(send.seq);
  const arrived = known !== undefined && known <= window.to;
  if (arrived && known < window.from) return null;
  // NOTE: this matches drops to sends by channel and time only, so a deliver
  // at the same ms as a drop on its channel is drawn as a drop.
  const dropped = arrived && Boolean(drops.get(key)?.has(known));
  // A message lost at send time (loss or partition) and one whose deliver or
  // drop the log does not hold yet are drawn to where the link's mean
  // latency would take them.
  const nominal = send.t + expectedLatency(timeline.head, send);
  const arrival = known === undefined || known === send.t ? nominal : known;
  const path = { from: send.node, to: send.to, sentAt: send.t, arrival };
  return {
    seq: send.seq,
    from: send.node,
    to: send.to,
    msg: send.msg,
    category: send.category,
    sentAt: send.t,
    arrivalAt: arrived ? known : null,
    arrived,
    dropped,
    start: pointAt(path, Math.max(send.t, window.from)),
    end: pointAt(path, Math.min(arrival, window.to)),
  };
}

/** Return the mean latency (ms) of the send's link, for a message whose
 * deliver or drop the log does not hold yet. */
function expectedLatency(state, send) {
  const link = state.linkLatencyMs[`${send.node}>${send.to}`];
  return link ?? state.latencyMs;
}

/** Return the point of a message's straight path at time t (ms). */
function pointAt(path, t) {
  const span = path.arrival - path.sentAt;
  const fraction = span > 0 ? Math.min(1, Math.max(0, (t - path.sentAt) / span)) : 1;
  return { lane: path.from + fraction * (path.to - path.from), t };
}

function markOf(event) {
  if (event.kind === "commit") {
    return { kind: "commit", lane: event.node, t: event.t, height: event.height };
  }
  return { kind: "fault", lane: event.node, t: event.t, action: event.action };
}
