/**
 * What a backfill run reports (the backfill Lambda's answer, `cli backfill` and the client's
 * `runBackfill` read it). Plain shapes, here in the contract so the client's published types
 * carry none of the handlers' internals.
 */

/** Counts per line for one run (the metrics BackfillFound, BackfillStored, BackfillAlreadyThere). */
export interface LineCounts {
  found: number;
  stored: number;
  alreadyThere: number;
  /** Records that are not a storable group event (a bad record, a status for an inbound message). */
  skipped: number;
}

/** What stopped a line's run: the window was covered, a 429, another error, or the run's budget. */
export type LineStop = 'done' | 'throttled' | 'error' | 'budget';

export interface LineReport extends LineCounts {
  line: string;
  /** Where this run started reading (`updated_at_gte`). */
  from: string;
  /** The watermark after the run (undefined: nothing stored yet on this line). */
  watermark?: string;
  pages: number;
  stoppedBy: LineStop;
  error?: string;
}

/** The sweep of unknown commands in one run. */
export interface SweepReport {
  /** Entries taken from the unsettled list. */
  examined: number;
  /** Settled per line: found in Sendblue (`sent`), or proved never sent (`failed`, on the DLQ). */
  sent: Record<string, number>;
  neverSent: Record<string, number>;
  /** The check could not be made: still `unknown`. */
  stillUnknown: number;
  /** Claimed by a live attempt, or no longer unknown. */
  skipped: number;
  stoppedBy: 'done' | 'throttled' | 'budget';
}

export interface BackfillReport {
  started_at: string;
  duration_ms: number;
  lines: LineReport[];
  sweep: SweepReport | { error: string };
  /** Totals over the lines. */
  found: number;
  stored: number;
  already_there: number;
}
