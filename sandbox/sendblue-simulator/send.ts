/**
 * POST /api/send-group-message: Sendblue's rules, then the line's: its state, opted-out
 * recipients (delivered to the others, DECLINED for them), its new-contact quota and its rate.
 */
import { type ApiResult, errorResult, invalidResult, notFound, rateLimited } from './answers.js';
import type { ApiContext } from './context.js';
import { ambiguousLine, offlineLine } from './line-rules.js';
import { messageRecord } from './records.js';
import type { QuotaRefusal } from './new-contacts.js';
import type { SimGroup } from './types.js';
import { checkSend, FROM_NUMBER_REQUIRED } from './validate.js';

/** Sendblue's error codes (docs/sendblue-api.md): 4001 rate limit, 4002 blacklisted number. */
const RATE_LIMIT_CODE = 4001;
const BLOCKED_NUMBER_CODE = 4002;

export function sendGroupMessage(ctx: ApiContext, body: unknown): ApiResult {
  const checked = checkSend(body, ctx.lines.numbers);
  if (!checked.ok) return errorResult(checked.error);
  const input = checked.value;
  const { state } = ctx;

  // Who is in the conversation: the group's members, or the numbers (our own lines among them join as lines).
  let group: SimGroup | undefined;
  let members: readonly string[];
  let namedLines: string[] = [];
  if (input.groupId !== undefined) {
    group = state.group(input.groupId);
    if (!group) return input.fromNumber ? notFound(`Group ${input.groupId}`) : invalidResult(FROM_NUMBER_REQUIRED);
    members = group.members;
  } else {
    const numbers = input.numbers ?? []; // checkSend guarantees numbers when there is no group_id
    members = numbers.filter((number) => !ctx.lines.has(number));
    namedLines = numbers.filter((number) => ctx.lines.has(number));
    if (!members.length) return invalidResult('numbers must include someone who is not one of your lines');
    group = state.findByMembers(members);
  }
  const line = input.fromNumber;
  if (line === undefined)
    return group && group.lines.length > 1 ? ambiguousLine(group) : invalidResult(FROM_NUMBER_REQUIRED);

  if (input.replyTo) {
    const parent = state.message(input.replyTo.message_handle);
    if (!parent || parent.group_id !== group?.group_id) {
      return invalidResult('reply_to.message_handle must be a message of this group');
    }
  }
  const offline = offlineLine(ctx, line);
  if (offline) return offline;

  // Sendblue decides per recipient: an opted-out member is skipped (and told about in a DECLINED callback).
  const declined = members.filter((member) => ctx.optOuts.has(member));
  const delivered = members.filter((member) => !ctx.optOuts.has(member));
  if (!delivered.length) {
    return errorResult(
      {
        status: 400,
        error: 'recipient_opted_out',
        message: 'Every recipient has opted out (texted STOP): nothing was sent',
      },
      { error_code: BLOCKED_NUMBER_CODE, opted_out_numbers: declined },
    );
  }
  const refusal = ctx.contacts.refusal(line, ctx.contacts.newContacts(line, delivered).length);
  if (refusal) return quotaExceeded(refusal, line);
  if (ctx.lineLimiter && !ctx.lineLimiter.take(line)) {
    return rateLimited(ctx.retryAfterSeconds, 'Too many messages from this line: about 1 per second, bursts of 10');
  }

  group ??= state.createGroup(members, [line, ...namedLines]);
  for (const joining of [line, ...namedLines]) if (!group.lines.includes(joining)) group.lines.push(joining);
  group.line = line;
  ctx.contacts.record(line, delivered);
  ctx.sendsByLine.set(line, (ctx.sendsByLine.get(line) ?? 0) + 1);

  const message = state.addMessage({
    group,
    isOutbound: true,
    status: 'QUEUED',
    content: input.content,
    mediaUrl: input.mediaUrl,
    sendStyle: input.sendStyle,
    fromNumber: line,
    statusCallback: input.statusCallback,
    replyTo: input.replyTo,
    declined,
  });
  const answer = messageRecord(message, ctx.accountEmail, !ctx.omitGroupIdInSendResponse);
  ctx.webhooks.scheduleStatuses(message);
  state.acceptedSends += 1;
  if (ctx.replyEvery > 0 && state.acceptedSends % ctx.replyEvery === 0) ctx.webhooks.scheduleReply(group.group_id);
  return { status: 200, body: answer };
}

/** 429 naming the quota: Sendblue documents the limits, not this answer (our choice; see README.md). */
function quotaExceeded(refusal: QuotaRefusal, line: string): ApiResult {
  const per = refusal.quota === 'hourly' ? 'an hour' : 'a day';
  const left = Math.max(0, refusal.limit - refusal.used);
  return errorResult(
    {
      status: 429,
      error: 'new_contact_limit',
      message:
        `new_contact_limit: this send needs ${refusal.needed} new contact(s) on its line, which has ${left} ` +
        `of its ${refusal.limit} new contacts ${per} left`,
    },
    {
      error_code: RATE_LIMIT_CODE,
      quota: refusal.quota,
      limit: refusal.limit,
      used: refusal.used,
      needed: refusal.needed,
      line,
      next_slot_at: refusal.fitsAt === null ? null : new Date(refusal.fitsAt).toISOString(),
    },
  );
}
