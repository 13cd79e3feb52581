/**
 * Spaces calls at most `ratePerSecond` apart within one process: each call waits for its turn
 * (`1000 / rate` ms after the previous one's). Used for Sendblue's message list, which allows about
 * 100 requests per 10 s per account: the backfill keeps well under it (8/s by default), leaving
 * room for the sender's checks. Not shared between processes; a 429 ends the run anyway.
 */
export type CallPacer = () => Promise<void>;

export function createCallPacer(
  ratePerSecond: number,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
): CallPacer {
  if (!(ratePerSecond > 0)) return async () => {};
  const gapMs = 1000 / ratePerSecond;
  let nextAt = 0;
  return async () => {
    const now = clock.now();
    const at = Math.max(now, nextAt);
    nextAt = at + gapMs; // taken before waiting, so concurrent callers line up
    if (at > now) await clock.sleep(at - now);
  };
}
