/**
 * POST /api/send-reaction (docs.sendblue.com/api-v2/reactions): a tapback from one of our lines on
 * a message. The request fields, the six reactions, the answer and the error texts are Sendblue's;
 * the 404 for an unknown handle, the refusal of a line not in the message's group and the OFFLINE
 * and rate checks are ours (see README.md). The tapback is kept on the message (`reactions`).
 */
import { isE164, isReaction, REACTIONS } from '../../lambdas/contract/sendblue-rules.js';
import { type ApiResult, invalidResult, notFound, rateLimited } from './answers.js';
import type { ApiContext } from './context.js';
import { offlineLine } from './line-rules.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function sendReaction(ctx: ApiContext, body: unknown): ApiResult {
  if (!isObject(body)) return invalidResult('body must be a JSON object');
  const { from_number: line, message_handle: handle, reaction, part_index: partIndex } = body;
  if (!isE164(line)) return invalidResult('You must specify a valid `from_number` in the request body.');
  if (!ctx.lines.has(line)) return invalidResult('The from_number is not registered', 'line_not_registered');
  if (typeof handle !== 'string' || !handle.trim())
    return invalidResult('You must specify `message_handle` in the request body.');
  if (!isReaction(reaction)) return invalidResult(`Invalid reaction. Must be one of: ${REACTIONS.join(', ')}`);
  if (partIndex !== undefined && partIndex !== null && !(Number.isInteger(partIndex) && (partIndex as number) >= 0))
    return invalidResult('`part_index` must be a non-negative integer.');

  const target = ctx.state.message(handle);
  if (!target) return notFound(`Message ${handle}`);
  if (!target.lines.includes(line) && target.line !== line) {
    return invalidResult(
      'line_not_registered: from_number is not a line of the message’s conversation',
      'line_not_registered',
    );
  }
  const offline = offlineLine(ctx, line);
  if (offline) return offline;
  // A tapback is a message on the line: it takes a token of the line's rate like any send.
  if (ctx.lineLimiter && !ctx.lineLimiter.take(line)) {
    return rateLimited(ctx.retryAfterSeconds, 'Too many messages from this line: about 1 per second, bursts of 10');
  }
  ctx.state.addReaction(handle, {
    reaction,
    from_number: line,
    part_index: (partIndex as number | undefined | null) ?? 0,
    date: new Date().toISOString(),
  });
  return { status: 200, body: { status: 'OK', message: 'Reaction request sent', message_handle: handle, reaction } };
}
