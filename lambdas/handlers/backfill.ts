import { createBackfillJob, type BackfillReport } from '../backfill/backfill-job.js';
import { lambdaEntry } from '../platform/lambda-entry.js';
import { backfillDepsFromEnv } from '../wiring/backfill-deps.js';

/**
 * The backfill Lambda (docs/backfill.md): started by its EventBridge Scheduler schedule, or by
 * `cli backfill --aws` (a synchronous invoke, which gets the report back). The event is ignored:
 * every run starts from the watermarks in the table. Never throws (the job reports failures).
 */
export const handler = lambdaEntry((): ((event: unknown) => Promise<BackfillReport>) =>
  createBackfillJob(backfillDepsFromEnv()),
);
