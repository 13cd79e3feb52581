/**
 * A clock that only moves when told to, for the in-memory loop: backoff delays, lease expiry, a
 * Lambda timeout and a hung Sendblue call take no real time. Code under test gets `now` and
 * `sleep` from it (the sender already takes both as deps); the test moves time forward with
 * `runUntil`, which advances to the next timer only once every pending promise has settled, so
 * the order of events is the same on every run (no real timer anywhere).
 */

interface Timer {
  at: number;
  /** Ties at the same time fire in the order they were set. */
  seq: number;
  fire: () => void;
}

/** Lets every queued promise reaction run: once a macrotask fires, the microtask queue is empty. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock {
  private ms: number;
  private seq = 0;
  /** Sorted by time, then by seq. */
  private timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 11, 1, 12, 0, 0)) {
    this.ms = startMs;
  }

  nowMs = (): number => this.ms;
  now = (): Date => new Date(this.ms);

  /** Resolves once the clock reaches now + ms (a later `runUntil` moves it there). */
  sleep = (ms: number): Promise<void> => this.at(this.ms + Math.max(0, ms)).promise;

  /** A timer at an absolute time; `cancel` takes it off (its promise then never resolves). */
  at(atMs: number): { promise: Promise<void>; cancel: () => void } {
    let timer: Timer | undefined;
    const promise = new Promise<void>((resolve) => {
      timer = { at: Math.max(atMs, this.ms), seq: this.seq++, fire: resolve };
    });
    const added = timer!;
    let index = this.timers.length;
    while (index > 0 && this.timers[index - 1]!.at > added.at) index -= 1;
    this.timers.splice(index, 0, added);
    return {
      promise,
      cancel: () => {
        const at = this.timers.indexOf(added);
        if (at !== -1) this.timers.splice(at, 1);
      },
    };
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Fires every timer due at the earliest pending time, moving the clock there; false when none is left. */
  fireNext(): boolean {
    const first = this.timers[0];
    if (!first) return false;
    this.ms = Math.max(this.ms, first.at);
    while (this.timers[0] && this.timers[0].at <= this.ms) this.timers.shift()!.fire();
    return true;
  }

  /**
   * Runs the world until `done()` holds: lets all pending work settle, then moves to the next
   * timer, and again. Throws when nothing is left to wait for, or past `limitMs` of virtual time
   * (a stuck loop, with `describe()` saying where it stands).
   */
  async runUntil(done: () => boolean, options: { limitMs: number; describe?: () => string }): Promise<void> {
    const deadline = this.ms + options.limitMs;
    for (;;) {
      await settle();
      if (done()) return;
      if (this.ms > deadline || !this.fireNext()) {
        const why = this.ms > deadline ? `still running after ${options.limitMs} ms of virtual time` : 'no timer left';
        throw new Error(`the loop is stuck (${why})${options.describe ? `: ${options.describe()}` : ''}`);
      }
    }
  }
}
