/**
 * The "webhooks lost" fault: the next webhooks (status callbacks and member replies) are not
 * delivered at all, as when our endpoint was down for longer than Sendblue's retries. Either a
 * count (`drop: N`, the next N) or a seeded random share (`rate` from 0 to 1 with a `seed`, so a
 * run can be repeated). What was dropped shows in `callbacks` with `dropped: true`; the message
 * itself stays in the simulator (and in its message list), which is what backfill recovers.
 */
import { seededRandom } from './random.js';

export interface WebhookFault {
  /** Drop the next N webhooks. */
  drop?: number;
  /** Drop each webhook with this probability (with `seed`). */
  rate?: number;
  seed?: number;
}

const MAX_DROP = 100_000;
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function checkWebhookFault(value: unknown): { ok: true; fault: WebhookFault } | { ok: false; error: string } {
  if (!isObject(value)) return { ok: false, error: 'the webhook fault must be a JSON object {drop} or {rate, seed}' };
  const { drop, rate, seed } = value;
  if (drop !== undefined && !(Number.isInteger(drop) && (drop as number) >= 1 && (drop as number) <= MAX_DROP)) {
    return { ok: false, error: `drop must be an integer from 1 to ${MAX_DROP}` };
  }
  if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1))
    return { ok: false, error: 'rate must be a number from 0 to 1' };
  if (rate !== undefined && !Number.isInteger(seed)) return { ok: false, error: 'seed must be an integer (with rate)' };
  if ((drop === undefined) === (rate === undefined))
    return { ok: false, error: 'give either drop (a count) or rate with seed' };
  return {
    ok: true,
    fault: drop !== undefined ? { drop: drop as number } : { rate: rate as number, seed: seed as number },
  };
}

export class WebhookDropper {
  private remaining = 0;
  private mix?: { rate: number; seed: number; random: () => number };

  set(fault: WebhookFault): void {
    const checked = checkWebhookFault(fault);
    if (!checked.ok) throw new TypeError(`Invalid webhook fault: ${checked.error}`);
    if (checked.fault.drop !== undefined) this.remaining = checked.fault.drop;
    else this.mix = { rate: checked.fault.rate!, seed: checked.fault.seed!, random: seededRandom(checked.fault.seed!) };
  }

  clear(): void {
    this.remaining = 0;
    this.mix = undefined;
  }

  /** Whether the webhook about to be posted is lost (a counted drop first, then the random share). */
  shouldDrop(): boolean {
    if (this.remaining > 0) {
      this.remaining -= 1;
      return true;
    }
    return this.mix !== undefined && this.mix.random() < this.mix.rate;
  }

  state(): { drop: number; rate: number | null; seed: number | null } {
    return { drop: this.remaining, rate: this.mix?.rate ?? null, seed: this.mix?.seed ?? null };
  }
}
