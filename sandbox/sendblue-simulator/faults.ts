/**
 * Injected faults: a FIFO list, each consumed once per matching API call until its count runs
 * out; and an optional seeded random mix applied to calls no listed fault took.
 */
import { seededRandom } from './random.js';
import type { Fault, FaultKind, FaultMix, FaultRoute } from './types.js';

/** Re-exported for the tests and benchmarks that seed their own draws with it. */
export { seededRandom } from './random.js';

const FAULT_KINDS: readonly FaultKind[] = [
  '429',
  '500',
  '503',
  '400',
  '408',
  '409',
  'hang',
  'cut',
  'accept-then-cut',
  'accept-then-hang',
];
const FAULT_ROUTES: readonly FaultRoute[] = [
  'send',
  'modify',
  'rename',
  'react',
  'read',
  'contacts',
  'webhooks',
  'any',
];
const MAX_COUNT = 10_000;

interface ArmedFault {
  kind: FaultKind;
  route: FaultRoute;
  remaining: number;
  /** Matching calls still to let through first. */
  after: number;
}

/** A fault as checked: `after` only when the caller gave one. */
export type CheckedFault = Required<Omit<Fault, 'after'>> & Pick<Fault, 'after'>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Checks a fault from a caller (control endpoint or code); returns the reason when it is not valid. */
export function checkFault(value: unknown): { ok: true; fault: CheckedFault } | { ok: false; error: string } {
  if (!isObject(value)) return { ok: false, error: 'the fault must be a JSON object {kind, count?, route?, after?}' };
  const { kind, count, route, after } = value;
  if (!FAULT_KINDS.includes(kind as FaultKind)) {
    return { ok: false, error: `kind must be one of ${FAULT_KINDS.join(', ')}` };
  }
  if (count !== undefined && !(Number.isInteger(count) && (count as number) >= 1 && (count as number) <= MAX_COUNT)) {
    return { ok: false, error: `count must be an integer from 1 to ${MAX_COUNT}` };
  }
  if (route !== undefined && !FAULT_ROUTES.includes(route as FaultRoute)) {
    return { ok: false, error: `route must be one of ${FAULT_ROUTES.join(', ')}` };
  }
  if (after !== undefined && !(Number.isInteger(after) && (after as number) >= 0 && (after as number) <= MAX_COUNT)) {
    return { ok: false, error: `after must be an integer from 0 to ${MAX_COUNT}` };
  }
  return {
    ok: true,
    fault: {
      kind: kind as FaultKind,
      count: (count as number | undefined) ?? 1,
      route: (route as FaultRoute | undefined) ?? 'any',
      ...(after ? { after: after as number } : {}),
    },
  };
}

/** Checks a fault mix {seed, rate, kinds: {kind: weight}, routes?}. */
export function checkFaultMix(value: unknown): { ok: true; mix: FaultMix } | { ok: false; error: string } {
  if (!isObject(value)) return { ok: false, error: 'the fault mix must be a JSON object {seed, rate, kinds, routes?}' };
  const { seed, rate, kinds, routes } = value;
  if (!Number.isInteger(seed)) return { ok: false, error: 'seed must be an integer' };
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
    return { ok: false, error: 'rate must be a number from 0 to 1' };
  if (!isObject(kinds) || !Object.keys(kinds).length)
    return { ok: false, error: 'kinds must be an object of fault kind -> weight' };
  for (const [kind, weight] of Object.entries(kinds)) {
    if (!FAULT_KINDS.includes(kind as FaultKind))
      return { ok: false, error: `kinds: ${kind.slice(0, 40)} is not one of ${FAULT_KINDS.join(', ')}` };
    if (typeof weight !== 'number' || !(weight > 0 && Number.isFinite(weight)))
      return { ok: false, error: `kinds: the weight of ${kind} must be a positive number` };
  }
  if (
    routes !== undefined &&
    !(Array.isArray(routes) && routes.length && routes.every((r) => FAULT_ROUTES.includes(r as FaultRoute)))
  ) {
    return { ok: false, error: `routes must be a non-empty list of ${FAULT_ROUTES.join(', ')}` };
  }
  return {
    ok: true,
    mix: {
      seed: seed as number,
      rate,
      kinds: kinds as FaultMix['kinds'],
      ...(routes ? { routes: routes as FaultRoute[] } : {}),
    },
  };
}

export class FaultQueue {
  private faults: ArmedFault[] = [];
  private mix?: {
    routes: FaultRoute[];
    rate: number;
    kinds: Array<[FaultKind, number]>;
    total: number;
    random: () => number;
  };

  inject(fault: Fault): void {
    const checked = checkFault(fault);
    if (!checked.ok) throw new TypeError(`Invalid simulator fault: ${checked.error}`);
    const { kind, count, route, after = 0 } = checked.fault;
    this.faults.push({ kind, route, remaining: count, after });
  }

  setMix(mix: FaultMix): void {
    const checked = checkFaultMix(mix);
    if (!checked.ok) throw new TypeError(`Invalid simulator fault mix: ${checked.error}`);
    const kinds = Object.entries(checked.mix.kinds) as Array<[FaultKind, number]>;
    this.mix = {
      routes: checked.mix.routes ?? ['any'],
      rate: checked.mix.rate,
      kinds,
      total: kinds.reduce((sum, [, weight]) => sum + weight, 0),
      random: seededRandom(checked.mix.seed),
    };
  }

  clear(): void {
    this.faults = [];
    this.mix = undefined;
  }

  /** The fault for this API call: a listed one if one matches (the oldest first), else maybe one from the mix. */
  take(route: Exclude<FaultRoute, 'any'>): FaultKind | undefined {
    const index = this.faults.findIndex((fault) => fault.route === 'any' || fault.route === route);
    const fault = this.faults[index];
    if (fault?.after) {
      fault.after -= 1; // this call passes untouched
      return undefined;
    }
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults.splice(index, 1);
      return fault.kind;
    }
    const mix = this.mix;
    if (!mix || !(mix.routes.includes('any') || mix.routes.includes(route))) return undefined;
    if (mix.random() >= mix.rate) return undefined;
    let pick = mix.random() * mix.total;
    for (const [kind, weight] of mix.kinds) {
      pick -= weight;
      if (pick < 0) return kind;
    }
    return mix.kinds[mix.kinds.length - 1]?.[0];
  }

  pending(): CheckedFault[] {
    return this.faults.map((fault) => ({
      kind: fault.kind,
      route: fault.route,
      count: fault.remaining,
      ...(fault.after ? { after: fault.after } : {}),
    }));
  }
}

/** Float slack: a send exactly on its refill time is allowed. */
const SLACK = 1e-9;

/**
 * Sendblue's per-line send limit as a token bucket per line: `burst` tokens, refilled at
 * `perSecond`. A send that finds no token is answered 429 (and takes none).
 */
export class LineLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly limit: { perSecond: number; burst: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for the line; false when the line is over its limit. */
  take(line: string): boolean {
    const bucket = this.refilled(line);
    // A hair of slack for float error: a send exactly on its refill time is allowed.
    if (bucket.tokens < 1 - SLACK) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** What the line could send now without taking anything: whole tokens, and when the next one is there. */
  peek(line: string): { available: number; nextAt: number } {
    const bucket = this.refilled(line);
    const missing = 1 - SLACK - bucket.tokens;
    return {
      available: Math.floor(bucket.tokens + SLACK),
      nextAt: bucket.at + (missing > 0 ? Math.ceil((missing / this.limit.perSecond) * 1000) : 0),
    };
  }

  private refilled(line: string): { tokens: number; at: number } {
    const at = this.now();
    const bucket = this.buckets.get(line) ?? { tokens: this.limit.burst, at };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((at - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = at;
    this.buckets.set(line, bucket);
    return bucket;
  }

  clear(): void {
    this.buckets.clear();
  }
}
