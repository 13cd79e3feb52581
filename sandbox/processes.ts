/**
 * Registry of the child processes the sandbox starts (DynamoDB Local today; more later).
 *
 * Why: a Java child does not die with its Node parent. Every tracked child is killed by PID when
 * this process exits for any reason Node can observe: normal exit, `process.exit`, an uncaught
 * exception or unhandled rejection (Node emits 'exit' after those too), and SIGINT/SIGTERM/SIGHUP
 * when nobody else handles them. SIGKILL of the parent cannot be intercepted by anyone.
 */
import type { ChildProcess } from 'node:child_process';

const tracked = new Map<number, string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_EXIT_CODES: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
let hooksInstalled = false;

/** Kills every tracked child right now (synchronous, so it can run inside an 'exit' listener). */
export function killTrackedChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pid of tracked.keys()) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone (ESRCH): nothing to clean up.
    }
  }
  tracked.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => killTrackedChildren());
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      // If another listener exists (bin/sandbox.ts), it owns the graceful stop; the 'exit' hook
      // above is then only the backstop. Alone, we must restore the default "die on signal".
      if (process.listenerCount(signal) > 1) return;
      killTrackedChildren();
      process.exit(SIGNAL_EXIT_CODES[signal]);
    });
  }
}

/** Tracks a child until it exits. Returns the untrack function. */
export function trackChild(child: ChildProcess, name: string): () => void {
  const pid = child.pid;
  if (pid === undefined) return () => {}; // spawn failed: there is nothing to kill.
  installHooks();
  tracked.set(pid, name);
  const untrack = () => {
    tracked.delete(pid);
  };
  child.once('exit', untrack);
  return untrack;
}

/** PIDs and names of the children still tracked (for diagnostics and tests). */
export function trackedChildren(): Array<{ pid: number; name: string }> {
  return [...tracked].map(([pid, name]) => ({ pid, name }));
}

/**
 * Stops one child: SIGTERM, then SIGKILL if it has not exited within `graceMs`.
 * Resolves once the child has exited (immediately if it already had).
 */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
