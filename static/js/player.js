// Playback position over a Timeline: follow live, play, pause and step.
//
// The position is a pair (k, now): the state after the first k events, drawn
// at simulated time `now` (ms). While playing, `now` advances by `speed`
// simulated ms per real ms and k is the number of events up to `now`.
// Stepping moves k by whole events and sets `now` to the time of event k.
// In "live" mode the position follows the newest event.
//
// Until the timeline is complete, the stream may still deliver events with
// the newest event's time. So playing and seeking by time stay before that
// time, and the state at `now` is then the same as once the log is complete.

export const SPEED_MIN = 0.01;
export const SPEED_MAX = 100;
const MICROSECONDS_PER_MS = 1000;

export class Player {
  constructor(timeline) {
    this.timeline = timeline;
    this.mode = "live";
    this.speed = 1;
    this.k = 0;
    this.now = 0;
  }

  get lastTime() {
    const events = this.timeline.events;
    return events.length ? events[events.length - 1].t : 0;
  }

  /** Return the current (k, now), resolving live mode to the newest event. */
  position() {
    if (this.mode === "live") return { k: this.timeline.length, now: this.lastTime };
    return { k: this.k, now: this.now };
  }

  /** Return the state to draw: the live head, or the timeline seeked to k. */
  state() {
    if (this.mode === "live") return this.timeline.head;
    return this.timeline.seek(this.k);
  }

  /** Advance playback by `realMs` of wall-clock time, keeping `now` in whole
   * microseconds. Sums of frame times gather float error such as
   * 249.99999999999997, which the seek slider's value rounds to "250" in
   * Chromium 156. A ?t= link to that value then shows events that the
   * paused page leaves out. */
  tick(realMs) {
    if (this.mode !== "playing") return;
    const t = this.now + realMs * this.speed;
    this.moveTo(Math.round(t * MICROSECONDS_PER_MS) / MICROSECONDS_PER_MS);
  }

  followLive() {
    this.mode = "live";
  }

  play() {
    this.freeze();
    if (this.k >= this.timeline.length) {
      this.k = 0;
      this.now = 0;
    }
    this.mode = "playing";
  }

  pause() {
    this.freeze();
    this.mode = "paused";
  }

  /** Pause and move by `delta` events, clamped to the log. */
  step(delta) {
    this.pause();
    this.k = Math.max(0, Math.min(this.k + delta, this.timeline.length));
    this.now = this.k > 0 ? this.timeline.events[this.k - 1].t : 0;
  }

  /** Move to simulated time t (ms), keeping play or pause. */
  seekTime(t) {
    if (this.mode === "live") this.mode = "paused";
    this.moveTo(t);
  }

  /** Keep `now` and show only the first k events, where k ends among the
   * events at `now`: the place a step can stop inside one moment. A k
   * outside those events is clamped to them. */
  keepEvents(k) {
    const low = this.timeline.countBeforeTime(this.now);
    const high = Math.min(this.timeline.countAtTime(this.now), this.settled().count);
    if (low <= high) this.k = Math.max(low, Math.min(k, high));
  }

  /** Set `now` to t (ms), clamped to the times whose events are all in the
   * log, and k to the number of events up to `now`. Past those times `now`
   * stays where it is, or moves up to the last of them. */
  moveTo(t) {
    const settled = this.settled();
    if (this.timeline.complete || t < this.lastTime) {
      this.now = Math.max(0, Math.min(t, this.lastTime));
    } else {
      this.now = Math.max(this.now, settled.time);
    }
    this.k = Math.min(this.timeline.countAtTime(this.now), settled.count);
  }

  /** Return the latest event time (ms) up to which the log contains every
   * event, and the number of those events. Until the timeline is complete
   * these end before the newest event's time, or are (0, 0) when every
   * event has that time. */
  settled() {
    const timeline = this.timeline;
    if (timeline.complete) return { time: this.lastTime, count: timeline.length };
    const count = timeline.countBeforeTime(this.lastTime);
    const time = count > 0 ? timeline.events[count - 1].t : 0;
    return { time, count };
  }

  setSpeed(speed) {
    this.speed = Math.max(SPEED_MIN, Math.min(speed, SPEED_MAX));
  }

  /** Leave live mode at the newest event without moving. */
  freeze() {
    if (this.mode !== "live") return;
    this.k = this.timeline.length;
    this.now = this.lastTime;
  }
}
