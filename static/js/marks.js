// Marks of the ring view that come and go with simulated time: timer arcs
// on each node, the mark of a timer that fired or was cancelled, and the
// burst of a certificate forming at its collector.
//
// A timer arc drains clockwise from the top as its time runs out. A fired
// timer shows as a full ring with a tick, a cancelled one as a dashed grey
// arc over the share of its time that was left, with a slash. A certificate
// shows as a burst around the node that formed it, with lines from its
// signers converging there and, on small rings, a label such as
// "QC prepare v3". Ended timers and certificates fade out over MARK_MS of
// simulated time, and every mark reads only the state and `now`, so seeking
// to a time and playing to it draw the same picture. Rings of more than 24
// nodes draw the ended timers and certificates batched (batchmarks.js).

import { MARK_MS, recentCertificates, recentEndedTimers } from "./runstate.js";
import { drawsTallies } from "./linktally.js";
import { arcPath, burstPath, html, shapePath, svg } from "./svg.js";

export const TIMER_COLOURS = { state: "#175cd3", event: "#8a6d00", named: "#7a3fb0" };
export const CANCELLED_COLOUR = "#7d828c";
export const CERTIFICATE_COLOUR = "#c11574";
// Rings of more nodes draw certificates as bursts only, because the lines
// and labels of neighbours would overlap.
const CERTIFICATE_LINES_NODES_MAX = 24;
const CERTIFICATE_LABELS_NODES_MAX = 8;
// Rings of up to this many nodes show the view and phase under each node.
const CAPTIONS_NODES_MAX = 16;
// Gap (px) between two timer rings, and between the node and the first.
const TIMER_RING_GAP = 3.5;

/** Return the opacity of a mark made at `t` (ms) at time `now`: 1 when it
 * is new, fading to 0.25 after MARK_MS. */
function fade(t, now) {
  return 1 - 0.75 * Math.min(1, Math.max(0, (now - t) / MARK_MS));
}

/** Draw the running timers of a node as draining arcs, then the timers that
 * ended recently on the rings outside them. The elements are rebuilt only
 * when the set of timers changes, and otherwise only their arcs and
 * opacity change, so a frame at 64 nodes creates few elements. */
export function drawTimers(view, parts, node, now) {
  const { x, y } = view.positions[node.id];
  const timers = Object.values(node.timers);
  timers.sort((a, b) => a.name.localeCompare(b.name));
  const runningKey = timers.map((timer) => `${timer.name}@${timer.due}`).join("|");
  if (runningKey !== parts.runningKey) {
    parts.runningKey = runningKey;
    parts.arcs = timers.map(createArc);
    parts.timers.replaceChildren(...parts.arcs);
  }
  timers.forEach((timer, i) => {
    const left = timer.ms > 0 ? Math.max(0, (timer.due - now) / timer.ms) : 0;
    const arc = parts.arcs[i];
    arc.setAttribute("d", arcPath(x, y, ringRadius(view, i), left));
    arc.setAttribute("data-left", left.toFixed(3));
  });
  // Rings that draw tallies draw the ended timers with the other marks in
  // a few shared paths (batchmarks.js).
  if (!drawsTallies(view.n)) drawEndedTimers(view, parts, node, now, timers.length);
}

export function ringRadius(view, i) {
  return view.nodeRadius + TIMER_RING_GAP * (i + 1);
}

function createArc(timer) {
  const arc = svg("path", {
    stroke: TIMER_COLOURS[timer.kind],
    class: "timer-arc",
    "data-timer": timer.name,
  });
  const tooltip = `timer ${timer.name}: ${timer.ms} ms from ${timer.setAt}`;
  arc.append(svg("title", {}, [tooltip]));
  return arc;
}

/** Draw the node's recently ended timers on the rings outside its `running`
 * timers: rings in the node's group, glyphs in the layer above the nodes. */
function drawEndedTimers(view, parts, node, now, running) {
  const ended = recentEndedTimers(node, now);
  const names = ended.map((timer) => `${timer.name}@${timer.endedAt}`);
  const key = `${running}:${names.join("|")}`;
  if (key !== parts.endedKey) {
    parts.endedKey = key;
    const { x, y } = view.positions[node.id];
    parts.endedMarks = ended.map((timer, j) => {
      return endedTimerMark(view, x, y, running + j, j, timer);
    });
    parts.ended.replaceChildren(...parts.endedMarks.map((mark) => mark.ring));
    parts.glyphs.replaceChildren(...parts.endedMarks.map((mark) => mark.glyph));
  }
  for (const mark of parts.endedMarks) {
    setOpacity(mark, [mark.ring, mark.glyph], fade(mark.endedAt, now));
  }
}

/** Fade a mark's elements to `opacity`, unless it is unchanged at two
 * decimals. The fade goes on the stroke and fill, because an opacity
 * below 1 on a group makes the browser paint the group on its own layer. */
function setOpacity(mark, elements, opacity) {
  const text = opacity.toFixed(2);
  if (text === mark.opacity) return;
  mark.opacity = text;
  for (const element of elements) {
    if (!element) continue;
    element.setAttribute("stroke-opacity", text);
    element.setAttribute("fill-opacity", text);
  }
}

/** Return the ring of an ended timer and its glyph, the `j`-th of the node
 * on ring `ringIndex`. The glyph goes in a layer above the nodes, because
 * on a crowded ring it reaches over the neighbouring node. */
function endedTimerMark(view, x, y, ringIndex, j, timer) {
  const fired = timer.ended === "fired";
  const radius = ringRadius(view, ringIndex);
  const colour = fired ? TIMER_COLOURS[timer.kind] : CANCELLED_COLOUR;
  const ringClass = "timer-end-ring";
  const ring = fired
    ? svg("circle", { cx: x, cy: y, r: radius, stroke: colour, class: ringClass })
    : svg("path", {
        d: arcPath(x, y, radius, timer.left),
        stroke: colour,
        class: ringClass,
      });

  const glyph = svg("path", {
    d: timerGlyphPath(view, x, y, ringIndex, j, fired),
    stroke: colour,
    class: "timer-glyph",
    "data-ended": timer.ended,
  });

  const percent = Math.round(100 * timer.left);
  const ending = fired ? "fired" : `cancelled with ${percent} % left`;
  const tooltip = `timer ${timer.name} ${ending} at ${timer.endedAt} ms`;
  const title = svg("title", {}, [tooltip]);
  const group = svg("g", {
    class: `timer-ended ${timer.ended}`,
    "data-timer": timer.name,
    "data-ended": timer.ended,
  }, [ring, title]);
  return { ring: group, glyph, endedAt: timer.endedAt, opacity: null };
}

/** Return the path of the tick (fired) or slash (cancelled) of the `j`-th
 * ended timer of a node at (x, y), just outside ring `ringIndex`. */
export function timerGlyphPath(view, x, y, ringIndex, j, fired) {
  const size = Math.max(2, Math.min(4, view.nodeRadius / 5));
  const reach = ringRadius(view, ringIndex) + size + 2;
  const angle = Math.PI / 4 + (j * Math.PI) / 6;
  const gx = x + reach * Math.sin(angle);
  const gy = y - reach * Math.cos(angle);
  return fired ? tickPath(gx, gy, size) : slashPath(gx, gy, size);
}

function tickPath(x, y, size) {
  const s = size;
  return `M ${x - s} ${y} L ${x - 0.3 * s} ${y + 0.8 * s} L ${x + s} ${y - s}`;
}

function slashPath(x, y, size) {
  return `M ${x - size} ${y + size} L ${x + size} ${y - size}`;
}

/** Draw a burst at each node that formed a certificate in the last MARK_MS,
 * lines from the certificate's signers to it on rings of up to 24 nodes,
 * and its label on rings of up to 8. */
export function drawCertificates(view, state, now) {
  const recent = recentCertificates(state, now);
  const key = recent.map(certificateKey).join("|");
  if (key !== view.certificatesKey) {
    view.certificatesKey = key;
    view.certificateMarks = createCertificateMarks(view, recent);
  }
  for (const mark of view.certificateMarks) {
    setOpacity(mark, [mark.line, mark.burst, mark.label], fade(mark.t, now));
  }
}

function certificateKey(certificate) {
  const collector = `${certificate.node}${certificate.twin ? "'" : ""}`;
  return `${collector}@${certificate.t}:${certificate.phase}:${certificate.view}`;
}

function createCertificateMarks(view, certificates) {
  const lines = [];
  const bursts = [];
  const marks = [];
  const created = [];
  for (const certificate of certificates) {
    const collector = centreOf(view, certificate);
    if (!collector) continue;
    const mark = certificateMark(view, certificate, collector);
    if (view.n <= CERTIFICATE_LINES_NODES_MAX) {
      mark.line = convergingLines(view, certificate, collector);
      lines.push(mark.line);
    }
    bursts.push(mark.burst);
    if (mark.label) marks.push(mark.label);
    created.push(mark);
  }
  // Up to 16 nodes the bursts go under the nodes, so the captions under the
  // nodes stay readable. On larger rings the captions are hidden and the
  // bursts go on top, where the neighbouring nodes cannot cover them.
  if (view.n <= CAPTIONS_NODES_MAX) {
    view.layers.converging.replaceChildren(...lines, ...bursts);
    view.layers.marks.replaceChildren(...marks);
  } else {
    view.layers.converging.replaceChildren(...lines);
    view.layers.marks.replaceChildren(...bursts, ...marks);
  }
  return created;
}

/** Return the centre and radius of the node that formed a certificate. */
export function centreOf(view, certificate) {
  if (certificate.twin) {
    const twin = view.twinViews.find((twinView) => twinView.id === certificate.node);
    return twin ? twin.mark.centre : null;
  }
  const position = view.positions[certificate.node];
  return position ? { ...position, r: view.nodeRadius } : null;
}

function convergingLines(view, certificate, collector) {
  const segments = [];
  for (const signer of certificate.signers || []) {
    const from = view.positions[signer];
    if (!from || (signer === certificate.node && !certificate.twin)) continue;
    const dx = collector.x - from.x;
    const dy = collector.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    const ux = dx / length;
    const uy = dy / length;
    // Start at the signer's edge and end at the collector's burst, moved
    // to one side like the messages so the two directions stay apart.
    const start = view.nodeRadius + 2;
    const end = length - burstRadii(view, collector.r)[1] - 2;
    const sx = from.x + ux * start - uy * 3;
    const sy = from.y + uy * start + ux * 3;
    const ex = from.x + ux * end - uy * 3;
    const ey = from.y + uy * end + ux * 3;
    const startPoint = `M${sx.toFixed(1)} ${sy.toFixed(1)}`;
    segments.push(`${startPoint}L${ex.toFixed(1)} ${ey.toFixed(1)}`);
  }
  return svg("path", {
    d: segments.join(""),
    class: "converging",
    stroke: CERTIFICATE_COLOUR,
    "marker-end": "url(#converging-arrow)",
    "data-node": certificate.node,
  });
}

/** Return the inner and outer radius of the burst around a node of radius
 * r. Up to 16 nodes the burst starts outside the first two timer rings,
 * so it covers neither. Larger rings have no room between nodes for that. */
export function burstRadii(view, r) {
  const inner = view.n <= CAPTIONS_NODES_MAX ? r + 2.5 * TIMER_RING_GAP : r + 2;
  return [inner, inner + Math.max(6, r / 3)];
}

/** Return the mark of a certificate: its burst and, on small rings, its
 * label, both with the collector's id, the phase and the view. */
function certificateMark(view, certificate, collector) {
  const { x, y, r } = collector;
  const text = certificateLabel(certificate);
  const signers = (certificate.signers || []).join(",");
  const details = `${text} h${certificate.height} ${certificate.value} [${signers}]`;
  const attributes = {
    "data-node": certificate.twin ? `${certificate.node}'` : certificate.node,
    "data-phase": certificate.phase ?? "",
    "data-view": certificate.view ?? "",
  };
  const [inner, outer] = burstRadii(view, r);
  const outline = svg("path", {
    d: burstPath(x, y, inner, outer),
    class: "certificate-burst",
    stroke: CERTIFICATE_COLOUR,
  });
  const burst = svg("g", { ...attributes, class: "certificate-mark" }, [
    outline,
    svg("title", {}, [details]),
  ]);
  const mark = { burst, label: null, line: null, t: certificate.t, opacity: null };
  if (view.n <= CERTIFICATE_LABELS_NODES_MAX) {
    const place = labelPlace(view.centre, x, y, r);
    mark.label = svg("text", { ...attributes, ...place }, [text]);
  }
  return mark;
}

export function certificateLabel(certificate) {
  const phase = certificate.phase ? ` ${certificate.phase}` : "";
  const view = certificate.view !== undefined ? ` v${certificate.view}` : "";
  return `QC${phase}${view}`;
}

/** Return the attributes of a label inside the ring, off the node towards
 * the centre, so the caption under the node and the leader star above it
 * stay clear. */
function labelPlace(centre, x, y, r) {
  const dx = centre - x;
  const dy = centre - y;
  const length = Math.hypot(dx, dy) || 1;
  const ux = dx / length;
  const uy = dy / length;
  const reach = r + 30;
  let anchor = "middle";
  if (ux > 0.4) anchor = "start";
  else if (ux < -0.4) anchor = "end";
  return {
    x: (x + ux * reach).toFixed(1),
    y: (y + uy * reach + 4).toFixed(1),
    "text-anchor": anchor,
    class: "certificate-label",
  };
}

/** Return the arrowhead that the converging lines end in. */
export function convergingArrow() {
  const head = svg("path", { d: "M 0 0 L 6 3 L 0 6 Z", fill: CERTIFICATE_COLOUR });
  return svg("marker", {
    id: "converging-arrow",
    viewBox: "0 0 6 6",
    refX: 5,
    refY: 3,
    markerWidth: 6,
    markerHeight: 6,
    orient: "auto",
  }, [head]);
}

/** Return the legend of the marks: timer arcs, ended timers and
 * certificates, each with its colour and shape. */
export function marksLegend() {
  const items = [
    [[legendArc(TIMER_COLOURS.state)], "state timeout, arc drains"],
    [[legendArc(TIMER_COLOURS.event)], "event timeout"],
    [[legendArc(TIMER_COLOURS.named)], "named timeout"],
    [[legendRing(), legendGlyph(tickPath, TIMER_COLOURS.state)], "timer fired"],
    [
      [legendCancelledArc(), legendGlyph(slashPath, CANCELLED_COLOUR)],
      "timer cancelled, arc: time left",
    ],
    [[legendBurst()], "certificate formed (QC)"],
    [[legendConverging()], "its signers' votes"],
  ];
  const entries = items.map(([children, label]) => {
    const icon = svg("svg", { viewBox: "0 0 16 16", width: 16, height: 16 }, children);
    return html("li", {}, [icon, ` ${label}`]);
  });
  const attributes = { class: "legend", "aria-label": "timers and certificates" };
  return html("ul", attributes, entries);
}

function legendArc(colour, className = "timer-arc") {
  return svg("path", { d: arcPath(8, 8, 5.5, 0.7), stroke: colour, class: className });
}

function legendCancelledArc() {
  return legendArc(CANCELLED_COLOUR, "timer-arc timer-cancelled-arc");
}

function legendRing() {
  const colour = TIMER_COLOURS.state;
  return svg("circle", { cx: 7, cy: 9, r: 5, stroke: colour, class: "timer-arc" });
}

function legendGlyph(pathOf, colour) {
  const d = pathOf(12.5, 3.5, 2.5);
  return svg("path", { d, stroke: colour, class: "timer-glyph" });
}

function legendBurst() {
  const d = shapePath("burst", 8, 8, 5);
  return svg("path", { d, stroke: CERTIFICATE_COLOUR, class: "certificate-burst" });
}

function legendConverging() {
  const d = "M 1 13 L 11 5";
  return svg("path", {
    d,
    stroke: CERTIFICATE_COLOUR,
    class: "converging",
    "marker-end": "url(#converging-arrow)",
  });
}
