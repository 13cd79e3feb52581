/**
 * Background work (status progressions, replies, webhook retries) that tests can wait for with
 * idle() and that reset()/stop() can cancel: every wait is a cancellable timer and every HTTP
 * call of a generation shares one AbortSignal.
 */

/** What a background task carries: the generation it belongs to and its abort signal. */
export interface TaskContext {
  readonly generation: number;
  readonly signal: AbortSignal;
}

export class Scheduler {
  private readonly tasks = new Set<Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, (fired: boolean) => void>();
  private controller = new AbortController();
  private generation = 0;

  /** Starts a background task; its errors go to onError, never thrown. */
  run<T>(task: (context: TaskContext) => Promise<T>, onError: (error: unknown) => void): Promise<T | undefined> {
    const context: TaskContext = { generation: this.generation, signal: this.controller.signal };
    const result = task(context).catch((error: unknown) => {
      onError(error);
      return undefined;
    });
    const tracked: Promise<void> = result.then(() => {
      this.tasks.delete(tracked);
    });
    this.tasks.add(tracked);
    return result;
  }

  /** Whether the task may go on (false once cancelAll() ran after it started). */
  alive(context: TaskContext): boolean {
    return context.generation === this.generation;
  }

  /** Resolves true after ms, or false as soon as the task's generation is cancelled. */
  sleep(ms: number, context: TaskContext): Promise<boolean> {
    if (!this.alive(context)) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          resolve(this.alive(context));
        },
        Math.max(0, ms),
      );
      this.timers.set(timer, resolve);
    });
  }

  /** Cancels every wait and in-flight HTTP call; the tasks then finish at once. */
  cancelAll(): void {
    this.generation += 1;
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve(false);
    }
    this.timers.clear();
    this.controller.abort();
    this.controller = new AbortController();
  }

  /** Resolves when no task is pending (tasks started meanwhile are waited for too). */
  async idle(): Promise<void> {
    while (this.tasks.size) await Promise.allSettled([...this.tasks]);
  }
}
