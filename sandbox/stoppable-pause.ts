/**
 * Pauses that a stop cuts short: the sandbox's pollers wait between polls and retries, and
 * stop() must not wait out a 2 s back-off before the process can exit.
 */
export function stoppablePauses() {
  const wakers = new Set<() => void>();
  return {
    pause: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        }
        wakers.add(done);
      }),
    /** Ends every pause now. */
    wakeAll: () => {
      for (const wake of [...wakers]) wake();
    },
  };
}
