/**
 * SANDBOX ONLY (bundles mode): a function's execution environments, each a worker thread that
 * loaded the function's bundle with the function's own environment (lambda-worker.mjs). Like
 * Lambda: an environment starts on the first invocation that finds none free (a cold start, up to
 * `maxEnvironments`), runs one invocation at a time, and is ended when it overruns the function's
 * timeout. Handlers read their environment once, at cold start: a worker per environment gives each
 * function exactly the variables the template gives it, apart from the sandbox's own process.env.
 * What the bundle writes to stdout (its JSON log lines, EMF metrics) goes to the sandbox's logger.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { Logger, LogLevel } from '../../lambdas/platform/logger.js';

const WORKER_FILE = new URL('./lambda-worker.mjs', import.meta.url);

export interface LambdaPoolOptions {
  /** The function's handler name (HANDLER_TAG), for messages. */
  name: string;
  /** The bundle's file (e.g. cdk.out/asset.<hash>/index.mjs). */
  bundleFile: string;
  /** The exported handler (`handler` of `index.handler`). */
  exportName: string;
  memorySize: number;
  timeoutSeconds: number;
  /** The function's environment, computed when an environment starts. */
  environment: () => Record<string, string>;
  /** Receives the bundle's log lines, re-logged under the function's name. */
  logger: Logger;
  /** Environments running side by side at most (Lambda's concurrency). @default 4 */
  maxEnvironments?: number;
}

export interface LambdaPool {
  /** Invokes the handler with `event` as Lambda would (JSON in, JSON out); rejects with what it threw. */
  invoke(event: unknown): Promise<unknown>;
  /** Environments started so far (cold starts). */
  coldStarts(): number;
  /** Ends every environment; invocations in flight reject. */
  stop(): Promise<void>;
}

interface Environment {
  worker: Worker;
  ready: Promise<void>;
  /** Settles the invocation in progress (by message id). */
  pending: Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
  dead: boolean;
}

/** The error a handler threw, rebuilt on this side of the thread. */
class HandlerError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack) this.stack = stack;
  }
}

export function createLambdaPool(options: LambdaPoolOptions): LambdaPool {
  const { name, logger, maxEnvironments = 4 } = options;
  const idle: Environment[] = [];
  const all = new Set<Environment>();
  const waiting: Array<(environment: Environment) => void> = [];
  let started = 0;
  let stopped = false;

  function start(): Environment {
    started += 1;
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        bundleFile: options.bundleFile,
        exportName: options.exportName,
        functionName: name,
        memorySize: options.memorySize,
        timeoutSeconds: options.timeoutSeconds,
      },
      env: options.environment(),
      // Plain Node, as in Lambda: no TypeScript loader from the sandbox's own command line.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: options.memorySize },
    });
    const environment: Environment = { worker, ready: Promise.resolve(), pending: new Map(), dead: false };
    const fail = (error: Error) => {
      retire(environment);
      for (const { reject } of environment.pending.values()) reject(error);
      environment.pending.clear();
      // An invocation waiting for a free environment gets a fresh one instead.
      const next = stopped ? undefined : waiting.shift();
      if (next) next(start());
    };
    environment.ready = new Promise<void>((resolve, reject) => {
      worker.on(
        'message',
        (message: { ready?: true; id?: string; ok?: boolean; result?: string; error?: HandlerError }) => {
          if (message.ready) return resolve();
          const waiter = message.id ? environment.pending.get(message.id) : undefined;
          if (!waiter) return;
          environment.pending.delete(message.id!);
          if (message.ok) waiter.resolve(message.result === undefined ? undefined : JSON.parse(message.result));
          else waiter.reject(new HandlerError(message.error!.name, message.error!.message, message.error!.stack));
        },
      );
      worker.on('error', (error: Error) => {
        logger.error('the bundle failed in its execution environment', { error });
        reject(error);
        fail(error);
      });
      worker.on('exit', (code) => {
        const error = new Error(`the ${name} execution environment exited (code ${code})`);
        reject(error);
        fail(error);
      });
    });
    environment.ready.catch(() => {}); // an init error rejects the invocation that waits for it
    relayLines(worker.stdout, logger, 'info');
    relayLines(worker.stderr, logger, 'warn');
    all.add(environment);
    return environment;
  }

  /** Never handed out again (it failed, or is being ended). */
  function retire(environment: Environment): void {
    environment.dead = true;
    all.delete(environment);
    const at = idle.indexOf(environment);
    if (at !== -1) idle.splice(at, 1);
  }

  function acquire(): Promise<Environment> {
    const free = idle.pop();
    if (free) return Promise.resolve(free);
    if (all.size < maxEnvironments) return Promise.resolve(start());
    return new Promise((resolve) => waiting.push(resolve));
  }

  function release(environment: Environment): void {
    if (environment.dead || stopped) return;
    const next = waiting.shift();
    if (next) next(environment);
    else idle.push(environment);
  }

  async function invoke(event: unknown): Promise<unknown> {
    if (stopped) throw new Error(`the ${name} function is stopped`);
    const environment = await acquire();
    try {
      await environment.ready;
      const id = randomUUID();
      return await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          // Lambda ends an environment that overruns; the next invocation gets a fresh one.
          environment.pending.delete(id);
          retire(environment);
          reject(new Error(`Task timed out after ${options.timeoutSeconds.toFixed(2)} seconds`));
          void environment.worker.terminate();
        }, options.timeoutSeconds * 1000);
        environment.pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        environment.worker.postMessage({ id, requestId: id, event: JSON.stringify(event ?? null) });
      });
    } finally {
      release(environment);
    }
  }

  return {
    invoke,
    coldStarts: () => started,
    async stop() {
      stopped = true;
      await Promise.all([...all].map((environment) => environment.worker.terminate()));
      all.clear();
      idle.length = 0;
    },
  };
}

const LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);

/**
 * Each line the bundle writes, through the sandbox's logger: its own JSON entries under their level
 * and message (the sandbox's logger adds the component and redacts again), EMF lines at debug,
 * anything else as text.
 */
function relayLines(stream: NodeJS.ReadableStream | null, logger: Logger, level: 'info' | 'warn'): void {
  if (!stream) return;
  createInterface({ input: stream }).on('line', (line) => {
    let entry: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
    } catch {
      // not JSON
    }
    if (!entry) return logger[level]('bundle output', { text: line });
    if ('_aws' in entry) return logger.debug('metrics (EMF)', entry);
    const { level: given, message, time: _time, service: _service, ...data } = entry;
    const as = LEVELS.has(given as LogLevel) ? (given as LogLevel) : level;
    logger[as](typeof message === 'string' ? message : 'bundle output', data);
  });
}
