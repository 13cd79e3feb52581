/**
 * Injected faults: a FIFO list, each consumed once per matching API call until its count runs out.
 */
import type { Fault, FaultKind, FaultRoute } from './types';

export const FAULT_KINDS: readonly FaultKind[] = ['429', '500', '400', 'hang', 'accept-then-cut', 'accept-then-hang'];
export const FAULT_ROUTES: readonly FaultRoute[] = ['send', 'modify', 'rename', 'any'];
const MAX_COUNT = 10_000;

interface ArmedFault {
  kind: FaultKind;
  route: FaultRoute;
  remaining: number;
}

/** Checks a fault from a caller (control endpoint or code); returns the reason when it is not valid. */
export function checkFault(value: unknown): { ok: true; fault: Required<Fault> } | { ok: false; error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'the fault must be a JSON object {kind, count?, route?}' };
  }
  const { kind, count, route } = value as Record<string, unknown>;
  if (!FAULT_KINDS.includes(kind as FaultKind)) {
    return { ok: false, error: `kind must be one of ${FAULT_KINDS.join(', ')}` };
  }
  if (count !== undefined && !(Number.isInteger(count) && (count as number) >= 1 && (count as number) <= MAX_COUNT)) {
    return { ok: false, error: `count must be an integer from 1 to ${MAX_COUNT}` };
  }
  if (route !== undefined && !FAULT_ROUTES.includes(route as FaultRoute)) {
    return { ok: false, error: `route must be one of ${FAULT_ROUTES.join(', ')}` };
  }
  return {
    ok: true,
    fault: { kind: kind as FaultKind, count: (count as number | undefined) ?? 1, route: (route as FaultRoute | undefined) ?? 'any' },
  };
}

export class FaultQueue {
  private faults: ArmedFault[] = [];

  inject(fault: Fault): void {
    const checked = checkFault(fault);
    if (!checked.ok) throw new TypeError(`Invalid simulator fault: ${checked.error}`);
    const { kind, count, route } = checked.fault;
    this.faults.push({ kind, route, remaining: count });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault for this API call, if one matches (the oldest first); consumes one use of it. */
  take(route: Exclude<FaultRoute, 'any'> | 'other'): FaultKind | undefined {
    const index = this.faults.findIndex((fault) => fault.route === 'any' || fault.route === route);
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.kind;
  }

  pending(): Array<Required<Fault>> {
    return this.faults.map((fault) => ({ kind: fault.kind, route: fault.route, count: fault.remaining }));
  }
}
