import { backfillJobFromEnv } from '../wiring/backfill-deps';
import type { BackfillJob, BackfillReport } from '../backfill/backfill-job';

/**
 * The backfill Lambda (README "Backfill"): started by its EventBridge Scheduler schedule, or by
 * `cli backfill --aws` (a synchronous invoke, which gets the report back). The event is ignored:
 * every run starts from the watermarks in the table. Never throws (the job reports failures).
 */
let job: BackfillJob | undefined;
export const handler = (): Promise<BackfillReport> => (job ??= backfillJobFromEnv())();
