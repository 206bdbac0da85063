// The ring view of a run: nodes on a circle, messages moving between them,
// timer and certificate marks (marks.js), and a card per node. Above 24
// nodes single messages blur together, so each directed link with messages
// in flight gets a short stroke near its sender, wider with more messages.
//
// Drawing reads only a state from runstate.js, the playback time `now`
// (simulated ms) and the Timeline's arrival times. A message in flight moves
// from its send to its deliver or drop time when the log already contains
// that event. Otherwise it moves at the mean latency of its link and waits just
// short of the receiver.

import { drawBatchedMarks } from "./batchmarks.js";
import { drawsTallies, linkTallies } from "./linktally.js";
import { convergingArrow, drawCertificates, drawTimers, marksLegend } from "./marks.js";
import { messagesInFlight } from "./runstate.js";
import { colourOf, html, shapePath, svg } from "./svg.js";
import { violationSummary } from "./violations.js";

const SIZE = 600;
const CENTRE = SIZE / 2;
const RADIUS = 225;
// NOTE: past this many messages in flight the oldest sends are not drawn, so
// the picture undercounts. Rings of more than 24 nodes draw tallies instead.
const MAX_DRAWN_MESSAGES = 1500;
const CAPTIONS_MAX = 16;
// Messages on one link beyond which its tally line grows no wider.
const TALLY_WIDTH_MAX = 6;
// The stretch of a link (shares of the way from the sender) that its tally
// covers.
const TALLY_SPAN = [0.1, 0.3];

export const MESSAGE_STYLES = {
  proposal: { colour: "#175cd3", shape: "square", label: "proposal" },
  vote: { colour: "#1a7f37", shape: "circle", label: "vote" },
  view_change: { colour: "#d46b08", shape: "triangle", label: "view change" },
  new_view: { colour: "#7a3fb0", shape: "diamond", label: "new view" },
  other: { colour: "#555", shape: "cross", label: "other" },
};

const FAULT_SHAPES = {
  crash: "cross",
  crash_recover: "cross",
  silent: "square",
  equivocate: "diamond",
  double_vote: "triangle",
  withhold_votes: "square",
  delay: "circle",
  twins: "diamond",
};

/** Build the ring, legend, cards and panels in `root`; return the view. */
export function createRing(root, meta) {
  const n = meta.scenario.n;
  // A node's radius is 40 % of its share of the circle, so neighbours never
  // overlap. Below a 6 px radius (from about 95 nodes) the ids are hidden.
  const spacing = (2 * Math.PI * RADIUS) / n;
  const nodeRadius = Math.max(2, Math.min(26, 0.4 * spacing));
  const positions = [];
  for (let id = 0; id < n; id++) {
    const angle = (2 * Math.PI * id) / n;
    positions.push({
      x: CENTRE + RADIUS * Math.sin(angle),
      y: CENTRE - RADIUS * Math.cos(angle),
    });
  }
  const layers = {
    links: svg("g", { class: "links" }),
    messages: svg("g", { class: "messages" }),
    converging: svg("g", { class: "converging-lines" }),
    nodes: svg("g", { class: "nodes" }),
    // Above the nodes, so no node hides a glyph, burst or label.
    glyphs: svg("g", { class: "timer-glyphs" }),
    marks: svg("g", { class: "marks" }),
  };
  const defs = svg("defs", {}, [convergingArrow()]);
  const picture = svg("svg", {
    viewBox: `0 0 ${SIZE} ${SIZE}`,
    class: "ring",
    role: "img",
    "aria-label": "nodes of the run on a ring",
  }, [defs, ...Object.values(layers)]);
  if (n <= 16) drawLinks(layers.links, positions);

  const cards = html("div", { class: "cards" });
  const violations = html("div", { class: "violations", id: "violations" });
  const facts = html("div", { class: "run-counters", id: "run-counters" });
  root.append(
    html("div", { class: "ring-row" }, [
      picture,
      html("div", { class: "side" }, [legend(), marksLegend(), facts]),
    ]),
    violations,
    cards,
  );
  const view = { meta, n, nodeRadius, positions, layers, picture, centre: CENTRE };
  Object.assign(view, { cards, violations, facts });
  view.nodeViews = positions.map((_, id) => createNode(view, id));
  view.cardViews = positions.map((_, id) => createCard(cards, id));
  view.cardsShown = false;
  watchCards(view);
  view.twinViews = twinIds(meta.scenario).map((id) => ({
    id,
    mark: createTwinMark(view, id),
    card: createCard(cards, `${id}'`),
  }));
  view.drawnSeq = -1;
  view.violationsKey = null;
  view.certificatesKey = null;
  view.certificateMarks = [];
  view.batchedKey = null;
  view.talliedSeq = -1;
  view.tallyElements = new Map();
  view.tallySegments = new Map();
  return view;
}

/** Keep each node card's `onScreen` current. A card starts on screen, so
 * the first frames draw every card. */
function watchCards(view) {
  if (typeof IntersectionObserver === "undefined") return;
  const byElement = new Map(view.cardViews.map((card) => [card.card, card]));
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const card = byElement.get(entry.target);
      if (entry.isIntersecting && !card.onScreen) view.cardsShown = true;
      card.onScreen = entry.isIntersecting;
    }
  });
  for (const element of byElement.keys()) observer.observe(element);
}

function drawLinks(layer, positions) {
  for (let i = 0; i < positions.length; i++) {
    for (let j = i + 1; j < positions.length; j++) {
      const a = positions[i];
      const b = positions[j];
      layer.append(svg("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "link" }));
    }
  }
}

function legend() {
  const items = Object.values(MESSAGE_STYLES).map((style) => {
    const icon = svg("svg", { viewBox: "0 0 16 16", width: 16, height: 16 }, [
      markerPath(style, 8, 8, 5),
    ]);
    return html("li", {}, [icon, ` ${style.label}`]);
  });
  return html("ul", { class: "legend", "aria-label": "message types" }, items);
}

function markerPath(style, x, y, size) {
  const cross = style.shape === "cross";
  return svg("path", {
    d: shapePath(style.shape, x, y, size),
    fill: cross ? "none" : style.colour,
    stroke: style.colour,
    "stroke-width": cross ? 2 : 0.5,
  });
}

function createNode(view, id) {
  const { x, y } = view.positions[id];
  const r = view.nodeRadius;
  const timers = svg("g", { class: "timers" });
  const ended = svg("g", { class: "timers-ended" });
  const body = svg("circle", { cx: x, cy: y, r, class: "node-body" });
  const idClass = view.nodeRadius >= 6 ? "node-id" : "node-id hidden";
  const label = svg("text", { x, y: y + 4, class: idClass }, [String(id)]);
  const below = y + r + (y > CENTRE ? 14 : 12);
  // Beyond CAPTIONS_MAX nodes the captions overlap, so the view and phase
  // show in the node's tooltip and card only.
  const captionClass = view.n <= CAPTIONS_MAX ? "node-caption" : "node-caption hidden";
  const caption = svg("text", { x, y: below, class: captionClass });
  const tooltip = svg("title");
  const postponed = svg("text", { x: x + r + 3, y: y + r, class: "postponed" });
  const leader = svg("path", {
    d: shapePath("star", x, y - r - 9, 5),
    class: "leader-mark",
  });
  const fault = svg("g", { class: "fault-mark" });
  const group = svg("g", { class: "node", "data-node": id }, [
    tooltip, timers, ended, body, label, caption, postponed, leader, fault,
  ]);
  view.layers.nodes.append(group);
  const glyphs = svg("g", { "data-node": id });
  view.layers.glyphs.append(glyphs);
  const parts = { group, timers, ended, glyphs, body, caption, tooltip, postponed };
  Object.assign(parts, { leader, fault });
  return { ...parts, faultKey: null };
}

function twinIds(scenario) {
  const faults = scenario.faults || [];
  return faults.filter((fault) => fault.behaviour === "twins").map((f) => f.node);
}

/** Create the mark of a twins node's second instance: a small circle just
 * outside the node on the ring's radius. */
function createTwinMark(view, id) {
  const { x, y } = view.positions[id];
  const r = view.nodeRadius;
  const dx = x - CENTRE;
  const dy = y - CENTRE;
  const length = Math.hypot(dx, dy) || 1;
  const cx = x + (dx / length) * r * 1.9;
  const cy = y + (dy / length) * r * 1.9;
  const body = svg("circle", { cx, cy, r: r * 0.6, class: "node-body twin-body" });
  const label = svg("text", { x: cx, y: cy + 4, class: "node-id" }, [`${id}'`]);
  const tooltip = svg("title");
  const group = svg("g", { class: "twin", "data-twin": id }, [tooltip, body, label]);
  group.style.display = "none";
  view.layers.nodes.append(group);
  return { group, body, tooltip, centre: { x: cx, y: cy, r: r * 0.6 } };
}

function drawTwin(twinView, twin) {
  const { mark } = twinView;
  if (!twin) return;
  mark.group.style.display = "";
  mark.body.setAttribute("fill", colourOf(twin.phase ?? "none"));
  const phase = twin.phase ? ` ${twin.phase}` : "";
  mark.tooltip.textContent = `node ${twin.id}, second instance: v${twin.view}${phase}`;
}

/** Draw the state at playback time `now`. The cards and panels are left as
 * they are unless `withCards` is true, because at large n they cost more
 * than the ring. `arrivalOf(seq)` returns a send's arrival time (ms) when
 * the log already contains it. With `offscreenCards` "skip", cards outside
 * the viewport keep their old content, and `view.cardsShown` turns true
 * when one of them scrolls into view. */
export function drawRing(
  view,
  state,
  now,
  withCards = true,
  arrivalOf = () => undefined,
  offscreenCards = "draw",
) {
  for (const node of state.nodes) drawNode(view, node, now);
  for (const twinView of view.twinViews) drawTwin(twinView, state.twins[twinView.id]);
  if (drawsTallies(view.n)) {
    drawTallies(view, state);
    drawBatchedMarks(view, state, now);
  } else {
    drawMessages(view, state, now, arrivalOf);
    drawCertificates(view, state, now);
  }
  if (!withCards) return;
  view.cardsShown = false;
  for (const node of state.nodes) {
    const card = view.cardViews[node.id];
    if (card.drawnSeq === state.seq) continue;
    if (offscreenCards === "skip" && !card.onScreen) continue;
    card.drawnSeq = state.seq;
    drawCard(card, node, state);
  }
  if (state.seq === view.drawnSeq) return;
  view.drawnSeq = state.seq;
  for (const twinView of view.twinViews) {
    const twin = state.twins[twinView.id];
    twinView.card.card.hidden = !twin;
    if (twin) drawCard(twinView.card, twin, state);
  }
  drawViolations(view, state.violations);
  drawCounters(view.facts, state);
}

function drawNode(view, node, now) {
  const parts = view.nodeViews[node.id];
  const fill = node.crashed ? "#c8c9cc" : colourOf(node.phase ?? "none");
  parts.body.setAttribute("fill", fill);
  parts.group.classList.toggle("crashed", node.crashed);
  const caption = `v${node.view}${node.phase ? " " + node.phase : ""}`;
  if (parts.caption.textContent !== caption) {
    parts.caption.textContent = caption;
    parts.tooltip.textContent = `node ${node.id}: ${caption}`;
  }
  parts.postponed.textContent = node.postponed > 0 ? `⏸${node.postponed}` : "";
  parts.leader.style.display = node.leader === node.id && !node.crashed ? "" : "none";
  drawFault(view, parts, node);
  drawTimers(view, parts, node, now);
}

function drawFault(view, parts, node) {
  const key = node.fault ? node.fault.behaviour : null;
  if (key === parts.faultKey) return;
  parts.faultKey = key;
  parts.fault.replaceChildren();
  if (!key) return;
  const { x, y } = view.positions[node.id];
  const r = view.nodeRadius;
  const style = { shape: FAULT_SHAPES[key] || "circle", colour: "#b42318" };
  const mark = markerPath(style, x - r - 6, y - r + 2, 5);
  const labelAt = { x: x - r - 13, y: y - r + 6, class: "fault-label" };
  const label = svg("text", labelAt, [key]);
  parts.fault.append(mark, label);
  parts.fault.append(svg("title", {}, [`faulty: ${key}`]));
}

function drawMessages(view, state, now, arrivalOf) {
  const layer = view.layers.messages;
  const messages = messagesInFlight(state).slice(-MAX_DRAWN_MESSAGES);
  const size = Math.max(2.5, Math.min(5, view.nodeRadius / 4));
  const shapes = [];
  for (const message of messages) {
    const from = view.positions[message.from];
    const to = view.positions[message.to];
    if (!from || !to) continue;
    const arrival = arrivalOf(message.seq);
    const known = arrival !== undefined && arrival > message.sentAt;
    const duration = known ? arrival - message.sentAt : expectedLatency(state, message);
    const limit = known ? 1 : 0.97;
    const share = Math.max(0, Math.min((now - message.sentAt) / duration, limit));
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    // Shift each direction to its own side of the link.
    const x = from.x + dx * share - (dy / length) * 3;
    const y = from.y + dy * share + (dx / length) * 3;
    const style = MESSAGE_STYLES[message.category] || MESSAGE_STYLES.other;
    const marker = markerPath(style, x, y, size);
    marker.setAttribute("data-msg", message.msg);
    shapes.push(marker);
  }
  layer.replaceChildren(...shapes);
}

/** Draw a stroke per directed link with messages in flight, on the sender's
 * side of the link, coloured by its most frequent category and wider with
 * more messages. Lines of one colour and width share a path, because
 * thousands of elements per frame would cost more than the messages. The
 * paths are kept between frames and only their changed attributes set. */
function drawTallies(view, state) {
  if (state.seq === view.talliedSeq) return;
  view.talliedSeq = state.seq;
  const paths = new Map();
  for (const tally of linkTallies(state.inFlight)) {
    const segment = cachedSegment(view, tally.from, tally.to);
    if (!segment) continue;
    const style = MESSAGE_STYLES[tally.category] || MESSAGE_STYLES.other;
    const width = Math.min(tally.count, TALLY_WIDTH_MAX);
    const key = `${style.colour} ${width}`;
    let path = paths.get(key);
    if (!path) {
      path = { colour: style.colour, width, segments: [], count: 0 };
      paths.set(key, path);
    }
    path.segments.push(segment);
    path.count += tally.count;
  }
  const elements = [];
  for (const [key, path] of paths) {
    let element = view.tallyElements.get(key);
    if (!element) {
      element = svg("path", {
        stroke: path.colour,
        "stroke-width": 0.6 * path.width,
        class: "tally",
      });
      view.tallyElements.set(key, element);
    }
    setChanged(element, "d", path.segments.join(""));
    setChanged(element, "data-count", String(path.count));
    elements.push(element);
  }
  for (const key of view.tallyElements.keys()) {
    if (!paths.has(key)) view.tallyElements.delete(key);
  }
  const layer = view.layers.messages;
  const same = layer.childElementCount === elements.length
    && elements.every((element, i) => layer.children[i] === element);
  if (!same) layer.replaceChildren(...elements);
}

/** Set an attribute unless it already has that value, so an unchanged path
 * costs no write. */
function setChanged(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/** Return the tally segment of the link from node `from` to node `to`,
 * computed once per link, or undefined for an unknown node. */
function cachedSegment(view, from, to) {
  const start = view.positions[from];
  const end = view.positions[to];
  if (!start || !end) return undefined;
  const key = from * view.n + to;
  let segment = view.tallySegments.get(key);
  if (segment === undefined) {
    segment = tallySegment(start, end);
    view.tallySegments.set(key, segment);
  }
  return segment;
}

/** Return the path segment of a link from `from` to `to`: its stretch from
 * TALLY_SPAN[0] to TALLY_SPAN[1] of the way, moved to the sender's side so
 * the two directions stay apart. Full chords took about four times as long
 * to paint (12 against 46 fps at n = 64 in headless Chromium without GPU). */
function tallySegment(from, to) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  const x = from.x - (dy / length) * 1.5;
  const y = from.y + (dx / length) * 1.5;
  const [near, far] = TALLY_SPAN;
  const start = `M${(x + dx * near).toFixed(1)} ${(y + dy * near).toFixed(1)}`;
  return `${start}L${(x + dx * far).toFixed(1)} ${(y + dy * far).toFixed(1)}`;
}

function expectedLatency(state, message) {
  const link = state.linkLatencyMs[`${message.from}>${message.to}`];
  const mean = link ?? state.latencyMs;
  return mean > 0 ? mean : 10;
}

// --- cards and panels -------------------------------------------------------

function createCard(container, id) {
  const title = html("h3");
  const rows = html("dl");
  const strip = html("div", { class: "commit-strip" });
  const attributes = { class: "card", "data-node": id };
  const card = html("section", attributes, [title, rows, strip]);
  container.append(card);
  const drawn = { commitsDrawn: -1, drawnSeq: -1, rowLabels: null, values: [] };
  Object.assign(drawn, { total: null, cells: new Map() });
  return { card, title, rows, strip, ...drawn, onScreen: true };
}

const CERTIFICATE_ROWS = [
  ["lock", "lock"],
  ["key", "key"],
  ["prepared", "prepared"],
  ["valid", "valid"],
  ["qc", "highest qc"],
  ["lastVote", "last vote"],
];

function drawCard(card, node, state) {
  const role = node.leader === node.id ? "leader" : `leader ${node.leader ?? "?"}`;
  const height = node.height === null ? "" : ` · h${node.height}`;
  const name = node.twin ? `Node ${node.id}' (second instance)` : `Node ${node.id}`;
  setText(card.title, `${name} · v${node.view}${height} · ${role}`);
  card.card.classList.toggle("crashed", node.crashed);
  card.card.classList.toggle("faulty", node.fault !== null);
  const rows = [];
  if (node.fault) rows.push(["fault", faultText(node)]);
  for (const [field, label] of CERTIFICATE_ROWS) {
    if (node[field]) rows.push([label, certificateText(node[field])]);
  }
  if (node.postponed) rows.push(["postponed", String(node.postponed)]);
  drawRows(card, rows);
  drawStrip(card, node, state);
}

/** Show the card's rows, a list of [label, text]. While the labels stay the
 * same, the dt and dd elements are kept and only changed texts are written,
 * so a redraw of 64 cards creates elements only for rows that come or go. */
function drawRows(card, rows) {
  const labels = rows.map(([label]) => label).join("\n");
  if (labels === card.rowLabels) {
    rows.forEach(([, text], i) => setText(card.values[i], text));
    return;
  }
  card.rowLabels = labels;
  card.values = rows.map(([, text]) => html("dd", {}, [text]));
  card.rows.replaceChildren(...rows.flatMap(([label], i) => [
    html("dt", {}, [label]),
    card.values[i],
  ]));
}

/** Set an element's text unless it already has it, so an unchanged text
 * costs no style or layout work. */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function faultText(node) {
  const parts = [node.fault.behaviour];
  if (node.fault.at_ms !== undefined) parts.push(`at ${node.fault.at_ms} ms`);
  if (node.crashed) parts.push("(crashed)");
  return parts.join(" ");
}

function certificateText(certificate) {
  const parts = [];
  if (certificate.phase) parts.push(certificate.phase);
  if (certificate.view !== undefined) parts.push(`v${certificate.view}`);
  if (certificate.height !== undefined) parts.push(`h${certificate.height}`);
  if (certificate.value !== undefined) parts.push(String(certificate.value));
  if (certificate.signers) parts.push(signersText(certificate.signers));
  return parts.join(" ");
}

const SIGNERS_LISTED = 10;

function signersText(signers) {
  if (signers.length > SIGNERS_LISTED) return `(${signers.length} signers)`;
  return `[${signers.join(",")}]`;
}

const STRIP_LENGTH = 24;

/** Draw the node's last commits, outlining heights where nodes committed
 * different values. A commit keeps its cell between redraws, keyed by its
 * index in the node's commits, which only grow along the log. */
function drawStrip(card, node, state) {
  const count = node.committed.length;
  const drawn = `${count}/${state.forks.length}`;
  if (drawn === card.commitsDrawn) return;
  card.commitsDrawn = drawn;
  const first = Math.max(0, count - STRIP_LENGTH);
  const cells = new Map();
  for (let index = first; index < count; index++) {
    const cell = card.cells.get(index) ?? { element: null, key: null };
    drawCell(cell, node.committed[index], state);
    cells.set(index, cell);
  }
  card.cells = cells;
  if (!card.total) card.total = html("span", { class: "commit-count" });
  setText(card.total, `${count} committed`);
  const elements = [...cells.values()].map((cell) => cell.element);
  placeInOrder(card.strip, [card.total, ...elements]);
}

/** Create or update the strip cell of a commit. */
function drawCell(cell, commit, state) {
  const forked = Object.keys(state.commits[commit.height]).length > 1;
  const title = `h${commit.height}: ${commit.value}${forked ? " (fork)" : ""}`;
  const className = forked ? "commit fork" : "commit";
  const key = `${className}\n${title}`;
  if (key === cell.key) return;
  cell.key = key;
  if (cell.element) {
    cell.element.setAttribute("class", className);
    cell.element.setAttribute("title", title);
  } else {
    cell.element = html("span", { class: className, title });
  }
  cell.element.style.background = colourOf(commit.value);
}

/** Make `elements` the children of `parent` in that order, moving only
 * those out of place, so cells that stay in order are not reinserted. */
function placeInOrder(parent, elements) {
  const keep = new Set(elements);
  for (const child of [...parent.children]) {
    if (!keep.has(child)) child.remove();
  }
  let child = parent.firstElementChild;
  for (const element of elements) {
    if (element === child) child = child.nextElementSibling;
    else parent.insertBefore(element, child);
  }
}

/** Show the violations, rebuilding the panel only when the list changed. The
 * event and property of a violation fix the rest of it, because all come
 * from one log. */
function drawViolations(view, violations) {
  const keys = violations.map((violation) => `${violation.seq} ${violation.property}`);
  const key = keys.join(",");
  if (key === view.violationsKey) return;
  view.violationsKey = key;
  view.violations.replaceChildren(...violations.map((violation) => {
    const evidence = JSON.stringify(violation.evidence);
    const summary = violationSummary(violation);
    const parts = [
      html("strong", {}, [`${violation.property} violated`]),
      ` at ${violation.t} ms (event ${violation.seq}): `,
    ];
    if (summary) parts.push(html("span", { class: "violation-summary" }, [`${summary}.`]), " ");
    parts.push(html("code", {}, [evidence]));
    return html("p", { class: "violation" }, parts);
  }));
}

/** Return one line on a view change status: the new leader, its reports,
 * how many came from faulty nodes, and the highest lock reported. */
function viewChangeText(status) {
  const faulty = status.reports.filter((report) => report.faulty).length;
  const locks = status.reports.map((report) => report.lock).filter(Boolean);
  locks.sort((a, b) => b.view - a.view);
  const parts = [`leader ${status.leader}`, `${status.reports.length} reports`];
  if (faulty) parts.push(`${faulty} faulty`);
  const [highest] = locks;
  parts.push(highest ? `highest lock v${highest.view} ${highest.value}` : "no lock");
  return `view ${status.view}: ${parts.join(", ")}`;
}

function drawCounters(panel, state) {
  const counters = state.counters;
  const lines = [
    `in flight: ${messagesInFlight(state).length}`,
    `sent ${counters.sent}, delivered ${counters.delivered}`,
  ];
  const dropped = Object.entries(counters.dropped);
  if (dropped.length) {
    const reasons = dropped.map(([reason, count]) => `${reason} ${count}`);
    lines.push(`dropped: ${reasons.join(", ")}`);
  }
  for (const [type, count] of Object.entries(counters.messages).sort()) {
    lines.push(`${type}: ${count}`);
  }
  const heights = Object.keys(state.commits).length;
  lines.push(`heights committed: ${heights}`);
  for (const status of Object.values(state.viewChanges).slice(-3)) {
    lines.push(viewChangeText(status));
  }
  if (state.end) lines.push(`ended: ${state.end.reason}`);
  while (panel.childElementCount > lines.length) panel.lastElementChild.remove();
  lines.forEach((line, i) => {
    const row = panel.children[i] ?? panel.appendChild(html("div"));
    setText(row, line);
  });
}
