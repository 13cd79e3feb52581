import { silentLogger, type Logger } from '../lambdas/platform/logger.js';
import { stoppablePauses } from './stoppable-pause.js';

/**
 * The loop under the sandbox's two pollers (queue-poller.ts: Lambda's SQS event source;
 * stream-poller.ts: its DynamoDB Streams one): start, a stop that cuts pauses short and waits for
 * the work in progress, and "tell me once you are idle" for tests and the page. What one poll does
 * is the poller's; the loop never rejects.
 */
export interface PollOutcome {
  /** Nothing to do and nothing running: those who asked before this poll began may go on. */
  idle: boolean;
  /** Wait this long before the next poll (cut short by stop). @default 0 */
  pauseMs?: number;
}

export interface PollLoopOptions {
  /** One poll. `someoneWaits`: a caller waits for idle (the poll may look without long waits). */
  poll: (someoneWaits: boolean) => Promise<PollOutcome>;
  /** Runs once the loop has stopped polling, before stop() resolves (a poller waits for its batches). */
  drain?: () => Promise<void>;
  /** Logs an error that escaped `poll`, which ends the loop. */
  logger?: Logger;
  /** Names the poller in that log line and in the rejections of waiters, e.g. `sqs poller`. */
  name: string;
}

export interface PollLoop {
  /** Starts polling (a no-op while already polling). */
  start(): void;
  /** Stops polling; resolves once the poll in progress (and `drain`) have finished. */
  stop(): Promise<void>;
  /**
   * Resolves once a poll that began after this call found nothing to do. Rejects with
   * `stoppedMessage` if the loop ends first.
   */
  idle(stoppedMessage: string): Promise<void>;
  /** Pauses that stop() cuts short (for a poller's own waits inside a poll). */
  pause(ms: number): Promise<void>;
  /** True from stop() until the loop has ended. */
  readonly stopRequested: boolean;
  /** True while the loop runs. */
  readonly running: boolean;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  stoppedMessage: string;
}

export function createPollLoop(options: PollLoopOptions): PollLoop {
  const { poll, drain, logger = silentLogger, name } = options;
  const { pause, wakeAll } = stoppablePauses();
  let running: Promise<void> | undefined;
  let stopRequested = false;
  let waiters: Waiter[] = [];

  async function loop(): Promise<void> {
    while (!stopRequested) {
      // Only waiters that asked before this poll began may be released by its finding nothing.
      const asked = waiters;
      waiters = [];
      let outcome: PollOutcome;
      try {
        outcome = await poll(asked.length > 0);
      } catch (error) {
        waiters = [...asked, ...waiters]; // rejected below, with the others, when the loop ends
        throw error;
      }
      if (outcome.idle) for (const waiter of asked) waiter.resolve();
      else waiters = [...asked, ...waiters];
      if (outcome.pauseMs && !stopRequested) await pause(outcome.pauseMs);
    }
    await drain?.();
  }

  return {
    start() {
      if (running) return;
      stopRequested = false;
      running = loop()
        .catch((error: unknown) => {
          try {
            logger.error(`${name}: stopped by an unexpected error`, { error });
          } catch {
            // a throwing logger must not turn into an unhandled rejection
          }
        })
        .finally(() => {
          running = undefined;
          const pending = waiters;
          waiters = [];
          for (const waiter of pending) waiter.reject(new Error(waiter.stoppedMessage));
        });
    },
    async stop() {
      stopRequested = true;
      wakeAll();
      await running;
    },
    idle(stoppedMessage) {
      return new Promise<void>((resolve, reject) => waiters.push({ resolve, reject, stoppedMessage }));
    },
    pause,
    get stopRequested() {
      return stopRequested;
    },
    get running() {
      return running !== undefined;
    },
  };
}
