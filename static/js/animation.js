// Run page animation: wires the event stream of run.js to a Timeline, the
// Player and the ring view, and the playback controls to the Player.
//
// run.js keeps every event it receives on #animation's `receivedEvents`
// and dispatches "quorumscope:events" and "quorumscope:status" there. This
// module reads the events already received and subscribes in the same task,
// so it misses none however late it loads.

import { Timeline } from "./runstate.js";
import { Player, SPEED_MAX, SPEED_MIN } from "./player.js";
import { createRing, drawRing } from "./ring.js";
import { spacetimeWindow } from "./spacetime.js";
import { createSpacetime, drawSpacetime } from "./spacetimeview.js";
import { chartSeries, drawCharts, loadPlotly, moveCursor } from "./charts.js";

const FINAL_STATUSES = ["done", "failed", "cancelled"];
const MAX_FRAME_MS = 250;
const COPIED_LABEL_MS = 2000;
// Unless paused, the cards and counters are redrawn at most this often per
// 16 nodes, because rebuilding them costs more than the ring.
const CARDS_EVERY_MS = 200;
// The open charts are rebuilt from the log and their playback line moved at
// most this often, because a rebuild reads every event.
const CHARTS_EVERY_MS = 2000;
const CHART_CURSOR_EVERY_MS = 500;
// Rings of more nodes skip the cards and the space-time diagram while they
// are off screen during playback.
const OFFSCREEN_SKIPPED_NODES_MIN = 16;

const root = document.getElementById("animation");
const scenario = JSON.parse(document.getElementById("scenario-data").textContent);
const controls = {
  live: document.getElementById("play-live"),
  play: document.getElementById("play-pause"),
  back: document.getElementById("step-back"),
  forward: document.getElementById("step-forward"),
  speed: document.getElementById("speed"),
  speedValue: document.getElementById("speed-value"),
  seek: document.getElementById("seek"),
  readout: document.getElementById("readout"),
  copy: document.getElementById("copy-link"),
  linkOutput: document.getElementById("link-output"),
};

const timeline = new Timeline({ scenario });
const player = new Player(timeline);
const view = createRing(document.getElementById("ring"), { scenario });
const spacetime = createSpacetime(document.getElementById("spacetime"), scenario.n);
// Whether the diagram is in the viewport, and whether it scrolled into it
// since it was last drawn.
let spacetimeOnScreen = true;
let spacetimeShown = false;
if (typeof IntersectionObserver !== "undefined") {
  const observer = new IntersectionObserver((entries) => {
    const visible = entries[entries.length - 1].isIntersecting;
    if (visible && !spacetimeOnScreen) spacetimeShown = true;
    spacetimeOnScreen = visible;
    dirty = true;
  });
  observer.observe(spacetime.picture);
}
const finalAtLoad = FINAL_STATUSES.includes(
  document.getElementById("status").textContent.trim(),
);
let pendingTime = requestedTime();
let pendingEvents = requestedEvents();
let dirty = true;

function requestedTime() {
  const value = new URLSearchParams(location.search).get("t");
  // Decimal milliseconds only, as "Copy link" writes them: Number() would
  // also read "0x10" as 16 and " " as 0.
  if (value === null || !/^[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$/.test(value)) return null;
  const t = Number(value);
  return Number.isFinite(t) && t >= 0 ? t : null;
}

/** Return the ?k= event count of a link made inside one moment, or null. */
function requestedEvents() {
  const value = new URLSearchParams(location.search).get("k");
  if (value === null || !/^[0-9]+$/.test(value)) return null;
  return Number(value);
}

function onEvents(events) {
  timeline.append(events);
  applyPendingTime();
  dirty = true;
}

/** Pause at the ?t= time once the log contains every event up to it. An
 * event after that time proves it, because the stream sends events in
 * order. Until then more events may come at the newest event's time. */
function applyPendingTime() {
  if (pendingTime === null) return;
  if (player.lastTime <= pendingTime && !timeline.complete) return;
  player.pause();
  player.seekTime(pendingTime);
  if (pendingEvents !== null) player.keepEvents(pendingEvents);
  pendingTime = null;
  pendingEvents = null;
}

// --- controls ---------------------------------------------------------------

function speedFromSlider() {
  return 10 ** Number(controls.speed.value);
}

function setSpeed(speed) {
  player.setSpeed(speed);
  controls.speed.value = String(Math.log10(player.speed));
  dirty = true;
}

function togglePlay() {
  if (player.mode === "playing") player.pause();
  else player.play();
  dirty = true;
}

function step(delta) {
  player.step(delta);
  dirty = true;
}

async function copyLink() {
  const url = new URL(location.href);
  // The exact time: playback keeps it in whole microseconds, and an event
  // time from a random latency has more digits than whole ms would keep.
  // A step can stop inside the events of one moment, so k gives the event.
  const { k, now } = player.position();
  url.search = `?t=${now}`;
  if (k < timeline.countAtTime(now)) url.search += `&k=${k}`;
  controls.linkOutput.value = url.href;
  controls.linkOutput.hidden = false;
  try {
    await navigator.clipboard.writeText(url.href);
    controls.copy.textContent = "Link copied";
    setTimeout(() => (controls.copy.textContent = "Copy link"), COPIED_LABEL_MS);
  } catch {
    controls.linkOutput.select();
  }
}

controls.live.addEventListener("click", () => {
  player.followLive();
  dirty = true;
});
controls.play.addEventListener("click", togglePlay);
controls.back.addEventListener("click", () => step(-1));
controls.forward.addEventListener("click", () => step(1));
controls.speed.min = String(Math.log10(SPEED_MIN));
controls.speed.max = String(Math.log10(SPEED_MAX));
controls.speed.addEventListener("input", () => setSpeed(speedFromSlider()));
controls.seek.addEventListener("input", () => {
  player.seekTime(Number(controls.seek.value));
  dirty = true;
});
controls.copy.addEventListener("click", copyLink);

const SPEED_STEP = 10 ** 0.25;

/** Return whether the focused control handles the key itself. Text fields
 * take every key, a slider its arrows, and a button space and Enter. */
function focusedControlTakes(target, key) {
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return target.type !== "range" || key.startsWith("Arrow");
  if (tag === "BUTTON") return key === " " || key === "Enter";
  return false;
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (focusedControlTakes(event.target, event.key)) return;
  if (event.key === " ") togglePlay();
  else if (event.key === "ArrowRight") step(event.shiftKey ? 10 : 1);
  else if (event.key === "ArrowLeft") step(event.shiftKey ? -10 : -1);
  else if (event.key === "+" || event.key === "=") setSpeed(player.speed * SPEED_STEP);
  else if (event.key === "-") setSpeed(player.speed / SPEED_STEP);
  else return;
  event.preventDefault();
});

// --- charts -----------------------------------------------------------------

const charts = {
  details: document.getElementById("charts"),
  status: document.getElementById("charts-status"),
  elements: {
    heights: document.getElementById("chart-heights"),
    views: document.getElementById("chart-views"),
    messages: document.getElementById("chart-messages"),
    latency: document.getElementById("chart-latency"),
    throughput: document.getElementById("chart-throughput"),
    viewMap: document.getElementById("chart-view-map"),
  },
  plotly: null,
  builtWith: -1,
  builtAt: -Infinity,
  cursorAt: -Infinity,
  cursor: null,
};

charts.details.addEventListener("toggle", async () => {
  if (!charts.details.open || charts.plotly) return;
  try {
    charts.plotly = await loadPlotly();
    charts.status.hidden = true;
  } catch (error) {
    charts.status.textContent = `Charts unavailable: ${error.message}`;
  }
});

function drawChartsIfDue(time, now) {
  if (!charts.plotly || !charts.details.open || timeline.length === 0) return;
  const stale = charts.builtWith !== timeline.length;
  if (stale && time - charts.builtAt >= CHARTS_EVERY_MS) {
    drawCharts(charts.plotly, charts.elements, chartSeries(timeline.events), now);
    charts.builtWith = timeline.length;
    charts.builtAt = time;
    charts.cursor = now;
  } else if (now !== charts.cursor && time - charts.cursorAt >= CHART_CURSOR_EVERY_MS) {
    moveCursor(charts.plotly, charts.elements, now);
    charts.cursorAt = time;
    charts.cursor = now;
  }
}

// --- drawing ----------------------------------------------------------------

function drawControls(position) {
  const end = player.lastTime;
  controls.seek.max = String(end);
  controls.seek.value = String(position.now);
  controls.play.textContent = player.mode === "playing" ? "Pause" : "Play";
  controls.live.setAttribute("aria-pressed", String(player.mode === "live"));
  controls.speedValue.textContent = `${formatSpeed(player.speed)}x`;
  const total = timeline.length;
  const time = `t = ${position.now.toFixed(1)} ms`;
  const event = `event ${position.k} of ${total}`;
  controls.readout.textContent = `${time} · ${event} · ${player.mode}`;
}

function formatSpeed(speed) {
  return speed >= 10 ? speed.toFixed(0) : speed.toPrecision(2);
}

let previous = performance.now();
let cardsDrawnAt = -Infinity;

function frame(time) {
  const elapsed = Math.min(time - previous, MAX_FRAME_MS);
  previous = time;
  if (player.mode === "playing") {
    player.tick(elapsed);
    dirty = true;
  }
  if (dirty) {
    dirty = false;
    const position = player.position();
    const cardsEvery = CARDS_EVERY_MS * Math.max(1, scenario.n / 16);
    const cardsDue = time - cardsDrawnAt >= cardsEvery || view.cardsShown;
    const paused = player.mode === "paused";
    const withCards = paused || cardsDue;
    if (withCards) cardsDrawnAt = time;
    const arrivalOf = (seq) => timeline.arrivalOf(seq);
    // Unless paused, large rings skip the cards and the diagram while they
    // are off screen, because at 64 nodes a redraw of the diagram alone took
    // longer than a frame.
    const skipOffscreen = !paused && scenario.n > OFFSCREEN_SKIPPED_NODES_MIN;
    const offscreenCards = skipOffscreen ? "skip" : "draw";
    drawRing(view, player.state(), position.now, withCards, arrivalOf, offscreenCards);
    // Past 16 nodes a window contains thousands of messages, so the diagram is
    // redrawn with the cards only.
    const spacetimeDue = withCards || scenario.n <= 16 || spacetimeShown;
    if (spacetimeDue && !(skipOffscreen && !spacetimeOnScreen)) {
      spacetimeShown = false;
      drawSpacetime(spacetime, spacetimeWindow(timeline, position.now));
    }
    drawControls(position);
  }
  drawChartsIfDue(time, player.position().now);
  requestAnimationFrame(frame);
}

root.addEventListener("quorumscope:events", (event) => onEvents(event.detail));
// The stream's status message comes after the last event.
root.addEventListener("quorumscope:status", () => {
  timeline.complete = true;
  applyPendingTime();
  dirty = true;
});
if (finalAtLoad && pendingTime === null) player.play();
timeline.complete = Boolean(root.finalStatus);
onEvents(root.receivedEvents || []);
requestAnimationFrame(frame);
