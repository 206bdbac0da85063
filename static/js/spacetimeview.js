// The space-time diagram on the page: draws the plain data of spacetime.js
// as SVG, one lane per node and time running to the right up to the
// playback time. Messages keep the colours and shapes of the ring's legend,
// and a dropped message ends in a cross.

import { MESSAGE_STYLES } from "./ring.js";
import { shapePath, svg } from "./svg.js";

const WIDTH = 600;
const LEFT = 34;
const RIGHT = 12;
const TOP = 10;
const BOTTOM = 22;
// NOTE: a broadcast at n = 64 sends 4,032 messages; past this many in one
// window only the newest sends are drawn, so the picture undercounts.
const MAX_DRAWN_ARROWS = 1500;
const LABELS_MAX = 32;
const COMMIT_COLOUR = "#20242c";
const FAULT_COLOUR = "#b42318";

/** Build the diagram's SVG in `root` for a run of n nodes; return the view. */
export function createSpacetime(root, n) {
  const laneGap = Math.max(5, Math.min(28, 360 / n));
  const height = TOP + BOTTOM + laneGap * Math.max(1, n - 1);
  const layers = {
    lanes: svg("g", { class: "spacetime-lanes" }),
    arrows: svg("g", { class: "spacetime-arrows" }),
    marks: svg("g", { class: "spacetime-marks" }),
    axis: svg("g", { class: "spacetime-axis" }),
  };
  const picture = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: "spacetime",
    role: "img",
    "aria-label": "messages between nodes over simulated time",
    width: "100%",
  }, [layers.lanes, layers.arrows, layers.marks, layers.axis]);
  root.append(picture);
  const view = { n, laneGap, height, layers, picture };
  drawLanes(view);
  return view;
}

function laneY(view, lane) {
  return TOP + lane * view.laneGap;
}

function drawLanes(view) {
  for (let id = 0; id < view.n; id++) {
    const y = laneY(view, id);
    const line = { x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y, stroke: "#e1e3e8" };
    view.layers.lanes.append(svg("line", line));
    if (view.n > LABELS_MAX) continue;
    const label = { x: LEFT - 6, y: y + 4, "text-anchor": "end", "font-size": 11 };
    view.layers.lanes.append(svg("text", label, [String(id)]));
  }
}

/** Redraw the arrows, marks and time axis from a spacetimeWindow result. */
export function drawSpacetime(view, data) {
  const span = Math.max(data.to - data.from, 1e-9);
  const x = (t) => LEFT + ((t - data.from) / span) * (WIDTH - LEFT - RIGHT);
  const drawn = data.arrows.slice(-MAX_DRAWN_ARROWS);
  const arrows = drawn.map((arrow) => drawArrow(view, x, arrow));
  const marks = data.marks.map((mark) => drawMark(view, x, mark));
  view.layers.arrows.replaceChildren(...arrows);
  view.layers.marks.replaceChildren(...marks);
  view.layers.axis.replaceChildren(...axisLabels(view, data));
}

function drawArrow(view, x, arrow) {
  const style = MESSAGE_STYLES[arrow.category] || MESSAGE_STYLES.other;
  const x1 = x(arrow.start.t);
  const y1 = laneY(view, arrow.start.lane);
  const x2 = x(arrow.end.t);
  const y2 = laneY(view, arrow.end.lane);
  const line = svg("line", { x1, y1, x2, y2, stroke: style.colour, "stroke-width": 1 });
  const head = arrowHead(arrow, style, x2, y2);
  const title = svg("title", {}, [arrowTitle(arrow)]);
  const attributes = { class: "arrow", "data-category": arrow.category };
  if (arrow.dropped) attributes["data-dropped"] = "true";
  return svg("g", attributes, [line, head, title]);
}

/** Return the end of an arrow: a cross for a drop, else the category's
 * shape, drawn hollow while the message is still in flight. */
function arrowHead(arrow, style, x, y) {
  const shape = arrow.dropped ? "cross" : style.shape;
  const hollow = shape === "cross" || !arrow.arrived;
  return svg("path", {
    d: shapePath(shape, x, y, 3),
    fill: hollow ? "#fff" : style.colour,
    stroke: arrow.dropped ? FAULT_COLOUR : style.colour,
    "stroke-width": shape === "cross" ? 1.6 : 0.8,
  });
}

function arrowTitle(arrow) {
  let end = "in flight";
  if (arrow.dropped) end = "dropped";
  else if (arrow.arrived) end = "delivered";
  return `${arrow.msg} ${arrow.from} → ${arrow.to}, sent ${arrow.sentAt} ms, ${end}`;
}

function drawMark(view, x, mark) {
  const cx = x(mark.t);
  const y = laneY(view, mark.lane);
  const half = Math.min(6, view.laneGap / 2);
  if (mark.kind === "commit") {
    const bar = { x1: cx, x2: cx, y1: y - half, y2: y + half, stroke: COMMIT_COLOUR };
    const title = svg("title", {}, [`commit of height ${mark.height} at ${mark.t} ms`]);
    return svg("g", { class: "commit-mark" }, [
      svg("line", { ...bar, "stroke-width": 2.5 }),
      title,
    ]);
  }
  const triangle = { d: shapePath("triangle", cx, y, 3.5), fill: FAULT_COLOUR };
  const title = svg("title", {}, [`fault: ${mark.action} at ${mark.t} ms`]);
  return svg("g", { class: "fault-mark" }, [svg("path", triangle), title]);
}

function axisLabels(view, data) {
  const y = view.height - 6;
  const common = { y, "font-size": 11, fill: "#333" };
  return [
    svg("text", { ...common, x: LEFT }, [`${data.from.toFixed(1)} ms`]),
    svg("text", { ...common, x: WIDTH - RIGHT, "text-anchor": "end" }, [
      `${data.to.toFixed(1)} ms`,
    ]),
  ];
}
