/**
 * Calls about one number: POST /api/v2/contacts/opt-out (SDK 3.17 `client.contacts.optOut`) and
 * GET /api/evaluate-service (SDK 3.17 `client.lookups.lookupNumber`).
 */
import { isE164 } from '../../lambdas/contract/sendblue-rules.js';
import { type ApiResult, invalidResult } from './answers.js';
import type { ApiContext } from './context.js';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;

/** `{number, opted_out?}`: opts out (default) or, with `opted_out: false`, back in. Answers the state after it. */
export function optOutContact(ctx: ApiContext, body: unknown): ApiResult {
  const record =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const { number, opted_out: optedOut } = record;
  if (!isE164(number)) return invalidResult('number must be an E.164 phone number such as +14155550123');
  if (optedOut !== undefined && optedOut !== null && typeof optedOut !== 'boolean')
    return invalidResult('opted_out must be true or false');
  ctx.optOuts.set(number, optedOut !== false);
  return { status: 200, body: { status: 'OK', number, opted_out: ctx.optOuts.has(number) } };
}

/** iMessage or SMS for a number: deterministic (SimulatorOptions.smsNumbers); an email address is iMessage. */
export function evaluateService(ctx: ApiContext, query: Record<string, string>): ApiResult {
  const number = query.number?.trim();
  if (!number) return invalidResult('number is required: an E.164 phone number or an email address');
  if (EMAIL.test(number)) return { status: 200, body: { number: number.toLowerCase(), service: 'iMessage' } };
  if (!isE164(number))
    return invalidResult('number must be an E.164 phone number such as +14155550123, or an email address');
  return { status: 200, body: { number, service: ctx.isSmsOnly(number) ? 'SMS' : 'iMessage' } };
}
