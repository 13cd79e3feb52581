/**
 * Wraps every method of a port object so each call passes through `around` (test only): injected
 * storage faults, and the death of a Lambda invocation, are both "something happens around a
 * call". An async generator method (Sendblue's message list) is wrapped page by page: each
 * `next()` is a call of its own.
 */
export type Around = <R>(method: string, run: () => Promise<R>) => Promise<R>;

const isAsyncGeneratorFunction = (value: unknown) =>
  Object.prototype.toString.call(value) === '[object AsyncGeneratorFunction]';

export function intercept<T extends object>(target: T, around: Around): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      const method = String(property);
      const original = value as (...args: unknown[]) => unknown;
      if (isAsyncGeneratorFunction(original)) {
        return async function* (...args: unknown[]) {
          const inner = original.apply(object, args) as AsyncGenerator<unknown, unknown>;
          for (;;) {
            const step = await around(method, () => inner.next());
            if (step.done) return step.value;
            yield step.value;
          }
        };
      }
      return (...args: unknown[]) => around(method, () => Promise.resolve(original.apply(object, args)));
    },
  });
}

/** Injected failures, counted by where they struck. */
export interface InjectedFaults {
  /** Faults strike only while on. */
  on: boolean;
  /** Failed before the call took effect / after it took effect (the caller cannot tell which). */
  injected: { before: number; after: number };
}

/**
 * Fails a share of the calls (`rate`, drawn from the seeded `random`): half before the call runs
 * (nothing happened), half after it ran (it took effect, but the caller is told it failed: the
 * ambiguous case a timeout produces in AWS). Like test/support/storage-faults.ts for DynamoDB.
 */
export function injectFaults<T extends object>(
  target: T,
  options: { random: () => number; rate: number; error: () => Error },
): { target: T; faults: InjectedFaults } {
  const faults: InjectedFaults = { on: false, injected: { before: 0, after: 0 } };
  const wrapped = intercept(target, async (_method, run) => {
    if (!faults.on || options.random() >= options.rate) return run();
    if (options.random() < 0.5) {
      faults.injected.before += 1;
      throw options.error();
    }
    await run();
    faults.injected.after += 1;
    throw options.error();
  });
  return { target: wrapped, faults };
}

/** What DynamoDB throws for a server fault (the storage faults' error). */
export const storageFault = () =>
  Object.assign(new Error('injected storage fault'), { name: 'InternalServerError', $fault: 'server' });
