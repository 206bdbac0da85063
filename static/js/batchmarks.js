// Timer and certificate marks of rings that draw tallies (more than 24
// nodes). Drawn per node as in marks.js, they made playback of PBFT at
// n = 64 about a third slower: bench/dashboard.py on two shared CPUs gave
// about 12 fps, against 16 to 20 fps without those marks. Here the marks
// of one kind, colour and fade step share one path, and the paths change
// only when the marks do. An ended timer shows its tick or slash only,
// without its ring, and the fade goes in four steps.

import { MARK_MS, recentCertificates, recentEndedTimers } from "./runstate.js";
import {
  CANCELLED_COLOUR,
  CERTIFICATE_COLOUR,
  TIMER_COLOURS,
  burstRadii,
  centreOf,
  timerGlyphPath,
} from "./marks.js";
import { burstPath, svg } from "./svg.js";

const FADE_STEPS = 4;

/** Return the fade step (0 for new, FADE_STEPS - 1 for oldest) of a mark
 * made at `t` (ms) at time `now`. */
function fadeStep(t, now) {
  const age = Math.min(1, Math.max(0, (now - t) / MARK_MS));
  return Math.min(FADE_STEPS - 1, Math.floor(age * FADE_STEPS));
}

/** Draw the recently ended timers and formed certificates of all nodes into
 * the marks layer, one path per kind, colour and fade step. */
export function drawBatchedMarks(view, state, now) {
  const paths = new Map();
  const add = (key, attributes, d) => {
    let path = paths.get(key);
    if (!path) {
      path = { attributes, segments: [] };
      paths.set(key, path);
    }
    path.segments.push(d);
  };

  for (const node of state.nodes) {
    const ended = recentEndedTimers(node, now);
    if (ended.length === 0) continue;
    const { x, y } = view.positions[node.id];
    const running = Object.keys(node.timers).length;
    ended.forEach((timer, j) => {
      const fired = timer.ended === "fired";
      const colour = fired ? TIMER_COLOURS[timer.kind] : CANCELLED_COLOUR;
      const step = fadeStep(timer.endedAt, now);
      const attributes = {
        class: "timer-glyph",
        "data-ended": timer.ended,
        stroke: colour,
        "stroke-opacity": 1 - step / FADE_STEPS,
      };
      const d = timerGlyphPath(view, x, y, running + j, j, fired);
      add(`${timer.ended} ${colour} ${step}`, attributes, d);
    });
  }

  for (const certificate of recentCertificates(state, now)) {
    const collector = centreOf(view, certificate);
    if (!collector) continue;
    const [inner, outer] = burstRadii(view, collector.r);
    const step = fadeStep(certificate.t, now);
    const attributes = {
      class: "certificate-burst certificate-mark",
      stroke: CERTIFICATE_COLOUR,
      "stroke-opacity": 1 - step / FADE_STEPS,
    };
    const d = burstPath(collector.x, collector.y, inner, outer);
    add(`certificate ${step}`, attributes, d);
  }

  const drawn = [...paths.entries()].map(([key, path]) => {
    return `${key}:${path.segments.join("")}`;
  });
  const key = drawn.join("|");
  if (key === view.batchedKey) return;
  view.batchedKey = key;
  const elements = [...paths.values()].map((path) => svg("path", {
    ...path.attributes,
    d: path.segments.join(""),
    "data-count": path.segments.length,
  }));
  view.layers.marks.replaceChildren(...elements);
}
