/**
 * The account's lines: GET /api/v2/lines/state (SDK 3.17 shape) and GET /api/v2/lines/usage
 * (docs.sendblue.com/api-v2/line-usage shape, plus a `sends` object of the simulator's own).
 */
import type { ApiResult } from './answers.js';
import type { ApiContext } from './context.js';

/** Sendblue's "never messaged" looks back this far (its usage example); the simulator never forgets. */
const NEW_CONTACT_LOOKBACK_DAYS = 30;

export function lineStates(ctx: ApiContext): ApiResult {
  return { status: 200, body: ctx.lines.snapshot() };
}

export function lineUsage(ctx: ApiContext): ApiResult {
  const sampledAt = new Date().toISOString();
  return {
    status: 200,
    body: {
      status: 'OK',
      enabled: ctx.contacts.enforced,
      lines: ctx.lines.numbers.map((phone) => {
        const usage = ctx.contacts.usage(phone);
        const offline = ctx.lines.status(phone) === 'OFFLINE';
        return {
          phone,
          // `available` is Sendblue's word; `limited` (a quota used up) and `offline` are ours.
          state: offline ? 'offline' : usage.availableAt ? 'limited' : 'available',
          sampledAt,
          newContactLookbackDays: NEW_CONTACT_LOOKBACK_DAYS,
          ...usage,
          sends: sendsOf(ctx, phone),
        };
      }),
    },
  };
}

/**
 * The line's message rate right now (not in Sendblue's answer: the simulator's own, for tests and
 * the sandbox): Sendblue's ~1/s with bursts of 10, as the token bucket sees it.
 */
function sendsOf(ctx: ApiContext, line: string): Record<string, unknown> {
  const total = ctx.sendsByLine.get(line) ?? 0;
  if (!ctx.lineLimiter) return { perSecond: null, burst: null, available: null, nextSlotAt: null, total };
  const { available, nextAt } = ctx.lineLimiter.peek(line);
  return {
    perSecond: ctx.lineLimiter.limit.perSecond,
    burst: ctx.lineLimiter.limit.burst,
    available,
    nextSlotAt: new Date(nextAt).toISOString(),
    total,
  };
}
