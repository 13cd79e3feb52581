/**
 * The sandbox's backfill: the very job the scheduled Lambda runs (lambdas/backfill/backfill-job.ts),
 * on a timer (`SANDBOX_BACKFILL_SECONDS`, default 60, 0 = off), and now on request through the
 * sandbox-only route `POST /__sandbox/backfill` (what `npm run cli -- backfill` calls), which
 * answers the run's report. Runs never overlap: a request during a timer run waits for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createBackfillDeps, defaultBackfillSettings } from '../lambdas/wiring/backfill-deps.js';
import { createBackfillJob, type BackfillJobSettings, type BackfillReport } from '../lambdas/backfill/backfill-job.js';
import type { Logger } from '../lambdas/platform/logger.js';
import type { SecretSource } from '../lambdas/adapters/secrets.js';
import type { TableStore } from '../lambdas/adapters/table.js';
import { SANDBOX_BACKFILL_PATH, SANDBOX_CREDENTIALS, SANDBOX_REGION } from './config.js';

/** Sandbox timings: an unknown command is swept after 1 minute (AWS: 1 hour), longer than the sandbox's retry backoff (30 s at most). */
const SANDBOX_BACKFILL_DEFAULTS = { unsettledMinAgeMs: 60_000 } as const;

export interface SandboxBackfill {
  /** Runs the job now (after the run in progress, if any) and resolves with its report. */
  runNow(): Promise<BackfillReport>;
  stop(): Promise<void>;
}

export interface SandboxBackfillInput {
  store: TableStore;
  secrets: SecretSource;
  logger: Logger;
  sendblueUrl: string;
  sqsEndpoint: string;
  deadLetterQueueUrl: string;
  fromNumber: string;
  /** Seconds between timer runs; 0 = no timer (the route still runs it). */
  intervalSeconds: number;
  /** Overrides of the job's settings (tests shorten the sweep's minimum age). */
  settings?: Partial<BackfillJobSettings>;
  /** Bundles mode: the backfill bundle's handler, called as its schedule calls it, instead of the source job. */
  bundleJob?: () => Promise<BackfillReport>;
}

export function startSandboxBackfill(input: SandboxBackfillInput): SandboxBackfill {
  const { logger } = input;
  let sqs: SQSClient | undefined;
  let job = input.bundleJob;
  if (!job) {
    sqs = new SQSClient({ endpoint: input.sqsEndpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
    job = createBackfillJob(
      createBackfillDeps({
        store: input.store,
        secrets: input.secrets,
        logger,
        sqs,
        deadLetterQueueUrl: input.deadLetterQueueUrl,
        sendblueBaseUrl: input.sendblueUrl,
        // CloudWatch is not here: the counts go to the sandbox's log (debug), the summary at info.
        metrics: (line, counts) => logger.debug('backfill metrics', { line, ...counts }),
        settings: {
          ...defaultBackfillSettings([input.fromNumber], input.fromNumber),
          ...SANDBOX_BACKFILL_DEFAULTS,
          ...input.settings,
        },
      }),
    );
  }
  const runJob = job;

  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const runNow = () => {
    const run = chain.then(() => runJob());
    chain = run.catch(() => undefined);
    return run;
  };
  const schedule = () => {
    if (stopped || input.intervalSeconds <= 0) return;
    timer = setTimeout(() => {
      runNow()
        .catch((error: unknown) => logger.error('sandbox backfill run failed', { error }))
        .finally(schedule);
    }, input.intervalSeconds * 1000);
    timer.unref();
  };
  schedule();

  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
      sqs?.destroy();
    },
  };
}

type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * `POST /__sandbox/backfill`: runs the job now and answers its report (a sandbox-only route);
 * any other request goes to `otherwise`.
 */
export function sandboxBackfillRoute(
  backfill: () => SandboxBackfill | undefined,
  logger: Logger,
  otherwise: ExtraRoutes = () => false,
): ExtraRoutes {
  return (req, res) => {
    if ((req.url ?? '/').split('?')[0] !== SANDBOX_BACKFILL_PATH || req.method !== 'POST') return otherwise(req, res);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    req.resume(); // no body is read
    const running = backfill();
    if (!running) {
      answer(503, { error: 'the backfill is not started yet' });
      return true;
    }
    running.runNow().then(
      (report) => answer(200, report),
      (error: unknown) => {
        logger.error('backfill run failed', { error });
        answer(500, { error: 'the backfill run failed; see the sandbox log' });
      },
    );
    return true;
  };
}
