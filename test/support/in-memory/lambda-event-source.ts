/**
 * Lambda's SQS event source mapping over the in-memory FIFO queue, on the virtual clock (test
 * only): batches of up to `batchSize` records, `concurrency` invocations at once, records not
 * named in batchItemFailures deleted afterwards (sandbox/lambda-sqs-event.ts reads the answer as
 * Lambda does), and an invocation that runs past its timeout, or crashes, deletes nothing: its
 * records come back when their visibility ends. A dead invocation never acts again: every port
 * call it makes from then on hangs forever, as in a container that was stopped.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readBatchResponse, toLambdaSqsRecord } from '../../../sandbox/lambda-sqs-event.js';
import { intercept } from './intercept.js';
import type { InMemorySqs } from './sqs.js';
import type { VirtualClock } from './virtual-clock.js';

const never = <T>() => new Promise<T>(() => {});

/**
 * Where an invocation will crash: at its `at`-th port call, or its first call of the method named
 * `at` (e.g. 'sendGroupMessage'), before or after that call took effect.
 */
export interface CrashPlan {
  at: number | string;
  afterIt: boolean;
}

/** One Lambda invocation: guards the ports it uses, so it can die anywhere. */
export class Invocation {
  dead = false;
  /** Resolves when it dies (a crash or its timeout). */
  readonly died: Promise<void>;
  private markDead!: () => void;
  private ops = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly crash: CrashPlan | undefined,
    /** Virtual time each port call takes (varies how concurrent invocations interleave). */
    private readonly latencyMs: () => number,
  ) {
    this.died = new Promise((resolve) => (this.markDead = resolve));
  }

  die(): void {
    if (this.dead) return;
    this.dead = true;
    this.markDead();
  }

  /** The port as this invocation sees it: each call takes its latency, and none returns once it is dead. */
  guard<T extends object>(port: T): T {
    return intercept(port, (method, run) => this.call(run, method));
  }

  /** A function port (sleep, the status relay), guarded the same way. */
  guardFunction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return (...args) => this.call(() => fn(...args));
  }

  private async call<R>(run: () => Promise<R>, method?: string): Promise<R> {
    const latency = this.latencyMs();
    if (latency > 0) await this.clock.sleep(latency);
    if (this.dead) return never();
    const op = this.ops++;
    const crashHere = this.crash !== undefined && (this.crash.at === op || this.crash.at === method);
    if (crashHere && !this.crash!.afterIt) {
      this.die();
      return never();
    }
    const result = await run();
    if (crashHere) this.die();
    if (this.dead) return never();
    return result;
  }
}

export interface EventSourceOptions {
  sqs: InMemorySqs;
  queueUrl: string;
  queueArn: string;
  clock: VirtualClock;
  /** Runs one batch as the Lambda does, with its ports guarded by `invocation`. */
  invoke: (event: SQSEvent, invocation: Invocation) => Promise<SQSBatchResponse | undefined>;
  /** Records per invocation, 1 to 10. */
  batchSize: number;
  /** Invocations at once. */
  concurrency: number;
  /** The Lambda's timeout: an invocation still running then is stopped. */
  timeoutMs: number;
  /** Decides, per invocation, whether and where it crashes. @default never */
  crashPlan?: () => CrashPlan | undefined;
  /** Virtual time per port call. @default 0 */
  latencyMs?: () => number;
}

export interface EventSourceStats {
  invocations: number;
  records: number;
  crashed: number;
  timedOut: number;
  /** Invocations that threw or answered something Lambda rejects: nothing deleted. */
  failedBatches: number;
}

export interface EventSource {
  readonly stats: EventSourceStats;
  /** Stops receiving; invocations under way are left to end (or hang, if dead). */
  stop(): void;
}

export function startEventSource(options: EventSourceOptions): EventSource {
  const { sqs, queueUrl, clock } = options;
  const stats: EventSourceStats = { invocations: 0, records: 0, crashed: 0, timedOut: 0, failedBatches: 0 };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let wake: (() => void) | undefined;
  const unsubscribe = sqs.onChange(() => wake?.());

  async function runBatch(event: SQSEvent): Promise<void> {
    const invocation = new Invocation(clock, options.crashPlan?.(), options.latencyMs ?? (() => 0));
    stats.invocations += 1;
    stats.records += event.Records.length;
    const timeout = clock.at(clock.nowMs() + options.timeoutMs);
    const answered = Promise.resolve()
      .then(() => options.invoke(event, invocation))
      .then(
        (response) => ({ response }),
        (error: unknown) => ({ error }),
      );
    const ended = await Promise.race([
      answered,
      timeout.promise.then(() => 'timed out' as const),
      invocation.died.then(() => 'crashed' as const),
    ]);
    timeout.cancel();
    if (ended === 'timed out' || ended === 'crashed' || invocation.dead) {
      invocation.die();
      if (ended === 'timed out') stats.timedOut += 1;
      else stats.crashed += 1;
      return;
    }
    const ids = new Set(event.Records.map((record) => record.messageId));
    const outcome = 'error' in ended ? undefined : readBatchResponse(ended.response, ids);
    if (!outcome || outcome.kind === 'invalid') {
      stats.failedBatches += 1;
      return;
    }
    for (const record of event.Records) {
      if (!outcome.failedIds.has(record.messageId))
        sqs.deleteMessage({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle });
    }
  }

  void (async () => {
    while (!stopped) {
      if (inFlight.size >= options.concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      const messages = sqs.receiveMessage({ QueueUrl: queueUrl, MaxNumberOfMessages: options.batchSize });
      if (messages.length) {
        const records = messages.map((message) => toLambdaSqsRecord(message, options.queueArn, 'us-east-1'));
        const batch: Promise<void> = runBatch({ Records: records }).finally(() => inFlight.delete(batch));
        inFlight.add(batch);
        continue;
      }
      // Nothing visible: wait for a change on the queue, the next message coming back, or a batch's end.
      const next = sqs.nextVisibleAt(queueUrl);
      const timer = next === undefined ? undefined : clock.at(next);
      const changed = new Promise<void>((resolve) => (wake = resolve));
      await Promise.race([changed, ...(timer ? [timer.promise] : []), ...inFlight]);
      wake = undefined;
      timer?.cancel();
    }
  })();

  return {
    stats,
    stop() {
      stopped = true;
      unsubscribe();
      wake?.();
    },
  };
}
