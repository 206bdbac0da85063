// Charts of a run over simulated time, drawn with plotly.js.
//
// chartSeries folds the events into plain series (no DOM), and drawCharts
// hands them to the global Plotly that /static/vendor/plotly.min.js defines.
// plotly.min.js is 4.8 MB (plotly 7.1.0), so loadPlotly adds its script only
// when the charts are first opened.

import { parseEngineState } from "./runstate.js";

const PLOTLY_URL = "/static/vendor/plotly.min.js";
const BUCKET_MS = 100;
const THROUGHPUT_BUCKET_MS = 250;

/** Return the series of a run: per node the committed height and the view
 * over time (one point per change), per message type the sends in each
 * BUCKET_MS window, the commit latencies, the throughput and the view
 * heatmap. Tendermint's view is its round, which restarts at 0 at
 * each height. */
export function chartSeries(events) {
  const { n, protocol } = events[0].scenario;
  const heights = [];
  const views = [];
  for (let id = 0; id < n; id++) {
    heights.push({ x: [0], y: [0] });
    views.push({ x: [0], y: [0] });
  }
  const sends = {};
  for (const event of events) {
    if (event.twin) continue;
    if (event.kind === "commit") {
      addPoint(heights[event.node], event.t, event.height, true);
    } else if (event.kind === "state") {
      const { view } = parseEngineState(protocol, event.state);
      addPoint(views[event.node], event.t, view, false);
    } else if (event.kind === "view_change") {
      addPoint(views[event.node], event.t, event.view, false);
    } else if (event.kind === "send") {
      countSend(sends, event);
    }
  }
  const end = events[events.length - 1].t;
  return {
    heights,
    views,
    sends,
    end,
    latencies: commitLatencies(events),
    throughput: throughput(events, end),
    viewMap: viewHeatmap(views, end),
  };
}

/** Append (t, value) when the value changed, or only when it rose if
 * `rising`. */
function addPoint(series, t, value, rising) {
  if (!series) return;
  const last = series.y[series.y.length - 1];
  if (rising ? value <= last : value === last) return;
  series.x.push(t);
  series.y.push(value);
}

function countSend(sends, event) {
  const bucket = Math.floor(event.t / BUCKET_MS);
  const counts = (sends[event.msg] ||= {});
  counts[bucket] = (counts[bucket] || 0) + 1;
}

/** Return per height the time from its first proposal to its first commit
 * (ms), plotted at that commit's time. Twins events are left out, and so
 * is a height the log never proposes or never commits. */
export function commitLatencies(events) {
  const proposed = new Map();
  const committed = new Set();
  const latencies = { x: [], y: [], heights: [] };
  for (const event of events) {
    if (event.twin) continue;
    if (event.kind === "propose" && !proposed.has(event.height)) {
      proposed.set(event.height, event.t);
    } else if (event.kind === "commit" && !committed.has(event.height)) {
      committed.add(event.height);
      if (!proposed.has(event.height)) continue;
      latencies.x.push(event.t);
      latencies.y.push(event.t - proposed.get(event.height));
      latencies.heights.push(event.height);
    }
  }
  return latencies;
}

/** Return the commits per second of simulated time in windows of bucketMs,
 * counting each height once, at its first commit. x is each window's
 * centre, and every window from 0 to `end` has a point. */
export function throughput(events, end, bucketMs = THROUGHPUT_BUCKET_MS) {
  const buckets = Math.max(1, Math.ceil(end / bucketMs));
  const counts = new Array(buckets).fill(0);
  const committed = new Set();
  for (const event of events) {
    if (event.kind !== "commit" || event.twin || committed.has(event.height)) continue;
    committed.add(event.height);
    counts[Math.min(buckets - 1, Math.floor(event.t / bucketMs))] += 1;
  }
  return {
    x: counts.map((_, bucket) => (bucket + 0.5) * bucketMs),
    y: counts.map((count) => (count * 1000) / bucketMs),
  };
}

/** Return a heatmap of each node's view over time from the step series of
 * chartSeries: z[node][bucket] is the view at the end of the bucket. */
export function viewHeatmap(views, end, bucketMs = BUCKET_MS) {
  const buckets = Math.max(1, Math.ceil(end / bucketMs));
  const x = [];
  for (let bucket = 0; bucket < buckets; bucket++) x.push((bucket + 0.5) * bucketMs);
  const z = views.map((steps) =>
    x.map((_, bucket) => stepValueAt(steps, (bucket + 1) * bucketMs)),
  );
  return { x, y: views.map((_, id) => id), z };
}

/** Return the value of a step series at time t: that of its last point at
 * or before t. */
function stepValueAt(steps, t) {
  let value = steps.y[0];
  for (let i = 0; i < steps.x.length && steps.x[i] <= t; i++) value = steps.y[i];
  return value;
}

/** Load plotly.js once; resolve with the global Plotly. */
export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  loadPlotly.pending ||= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = PLOTLY_URL;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error(`failed to load ${PLOTLY_URL}`));
    document.head.append(script);
  });
  return loadPlotly.pending;
}

const LAYOUT = {
  margin: { l: 50, r: 10, t: 30, b: 40 },
  height: 280,
  xaxis: { title: { text: "simulated time (ms)" } },
  legend: { orientation: "h", x: 1, xanchor: "right", y: 1.12, yanchor: "bottom" },
};

/** Draw the charts into their elements, with a line at `now`. */
export function drawCharts(Plotly, elements, series, now) {
  const steps = (list) =>
    list.map((points, id) => ({
      ...withEnd(points, series.end),
      name: `node ${id}`,
      mode: "lines",
      line: { shape: "hv" },
    }));
  const bars = Object.entries(series.sends).map(([msg, counts]) => ({
    type: "bar",
    name: msg,
    x: Object.keys(counts).map((bucket) => (Number(bucket) + 0.5) * BUCKET_MS),
    y: Object.values(counts),
  }));
  const cursor = cursorShape(now);
  Plotly.react(elements.heights, steps(series.heights), {
    ...LAYOUT, title: chartTitle("committed height"), shapes: [cursor],
  });
  Plotly.react(elements.views, steps(series.views), {
    ...LAYOUT, title: chartTitle("view (round)"), shapes: [cursor],
  });
  Plotly.react(elements.messages, bars, {
    ...LAYOUT, barmode: "stack", title: chartTitle(`sends per ${BUCKET_MS} ms`),
    shapes: [cursor],
  });
  drawRates(Plotly, elements, series, cursor);
}

/** Draw the commit latency, throughput and view heatmap charts. */
function drawRates(Plotly, elements, series, cursor) {
  const latency = { ...series.latencies, mode: "markers", name: "latency" };
  latency.text = series.latencies.heights.map((height) => `height ${height}`);
  Plotly.react(elements.latency, [latency], {
    ...LAYOUT, title: chartTitle("commit latency (ms)"),
    shapes: [cursor],
  });
  Plotly.react(elements.throughput, [{ ...series.throughput, type: "bar" }], {
    ...LAYOUT, title: chartTitle("commits per second"), shapes: [cursor],
  });
  const heatmap = { ...series.viewMap, type: "heatmap", colorscale: "Viridis" };
  Plotly.react(elements.viewMap, [heatmap], {
    ...LAYOUT, title: chartTitle("view per node"), shapes: [cursor],
    yaxis: { title: { text: "node" }, dtick: 1 },
  });
}

/** Move the playback line of every chart to `now`. */
export function moveCursor(Plotly, elements, now) {
  for (const element of Object.values(elements)) {
    Plotly.relayout(element, { shapes: [cursorShape(now)] });
  }
}

function withEnd(points, end) {
  return { x: [...points.x, end], y: [...points.y, points.y[points.y.length - 1]] };
}

function chartTitle(text) {
  return { text, x: 0.01, xanchor: "left" };
}

function cursorShape(now) {
  return {
    type: "line",
    xref: "x",
    yref: "paper",
    x0: now,
    x1: now,
    y0: 0,
    y1: 1,
    line: { color: "#b42318", width: 1 },
  };
}
