// Run page: follows the run's websocket stream and keeps the facts current.
// Every event is also kept in #animation's `receivedEvents` array and
// dispatched as a "quorumscope:events" DOM event there. The final status is
// kept as `finalStatus` and dispatched as "quorumscope:status". So a
// visualization that loads late reads what came before, then subscribes.
(function () {
  "use strict";
  const slug = JSON.parse(document.getElementById("run-slug").textContent);
  const scenario = JSON.parse(document.getElementById("scenario-data").textContent);
  document.getElementById("scenario").textContent = JSON.stringify(scenario, null, 2);

  const statusEl = document.getElementById("status");
  const progressEl = document.getElementById("progress");
  const countEl = document.getElementById("event-count");
  const summaryEl = document.getElementById("summary");
  const errorEl = document.getElementById("error");
  const animationEl = document.getElementById("animation");
  const receivedEvents = [];
  animationEl.receivedEvents = receivedEvents;
  let lastSeq = 0;
  // The log's length when the socket opened: a finished run's total.
  let knownEvents = 0;
  let finished = false;
  let retryMs = 500;

  function setStatus(status) {
    statusEl.textContent = status;
    statusEl.className = "status status-" + status;
  }

  function onEvents(message) {
    const events = message.events.filter((event) => event.seq > lastSeq);
    if (events.length === 0) return;
    lastSeq = events[events.length - 1].seq;
    countEl.textContent = String(Math.max(lastSeq, knownEvents));
    if (typeof message.progress === "number") progressEl.value = message.progress;
    if (statusEl.textContent === "queued") setStatus("running");
    for (const event of events) receivedEvents.push(event);
    animationEl.dispatchEvent(new CustomEvent("quorumscope:events", { detail: events }));
  }

  function onStatus(message) {
    finished = true;
    setStatus(message.status);
    countEl.textContent = String(message.events);
    if (message.status === "done") progressEl.value = 1;
    errorEl.textContent = message.error || "";
    summaryEl.textContent = message.summary ? JSON.stringify(message.summary, null, 2) : "(none)";
    animationEl.finalStatus = message;
    animationEl.dispatchEvent(new CustomEvent("quorumscope:status", { detail: message }));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/runs/${encodeURIComponent(slug)}/?after=${lastSeq}`);
    // A message too large for one websocket message comes as "part"
    // messages whose data joined is its text (see docs/api.md).
    let parts = [];
    socket.onmessage = (frame) => {
      retryMs = 500;
      let message = JSON.parse(frame.data);
      if (message.type === "part") {
        parts.push(message.data);
        if (message.more) return;
        message = JSON.parse(parts.join(""));
        parts = [];
      }
      if (message.type === "meta") {
        knownEvents = Math.max(knownEvents, message.events || 0);
        setStatus(message.status === "queued" && lastSeq > 0 ? "running" : message.status);
      }
      else if (message.type === "events") onEvents(message);
      else if (message.type === "status") {
        onStatus(message);
        socket.close();
      }
    };
    socket.onclose = () => {
      if (finished) return;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  connect();
})();
