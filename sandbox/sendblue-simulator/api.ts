/**
 * The Sendblue API routes the simulator serves, as plain functions from a parsed request to an
 * answer. Routing, auth and faults are in server.ts.
 */
import { MAX_GROUP_MEMBERS, MIN_MEMBERS_FOR_REMOVE } from '../../lambdas/contract/sendblue-rules.js';
import type { AccountWebhookRegistry } from './account-webhooks.js';
import type { LineLimiter } from './faults.js';
import { listMessages } from './list.js';
import { groupRecord, listRecord, messageRecord } from './records.js';
import type { SimState } from './state.js';
import { checkModify, checkRename, checkSend, type ApiError } from './validate.js';
import type { Webhooks } from './webhooks.js';

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ApiContext {
  state: SimState;
  webhooks: Webhooks;
  /** The account's registered webhooks (/api/account/webhooks). */
  accountWebhooks: AccountWebhookRegistry;
  lines: readonly string[];
  accountEmail: string;
  omitGroupIdInSendResponse: boolean;
  replyEvery: number;
  /** Sendblue's per-line send limit; undefined = no limit. */
  lineLimiter?: LineLimiter;
  /** Retry-After seconds on a 429, if any. */
  retryAfterSeconds?: number;
}

/** The answer to a call over a limit, with Retry-After when the simulator is told to send one. */
export function rateLimited(ctx: Pick<ApiContext, 'retryAfterSeconds'>, message: string): ApiResult {
  return {
    ...errorResult({ status: 429, error: 'rate_limited', message }),
    ...(ctx.retryAfterSeconds !== undefined ? { headers: { 'retry-after': String(ctx.retryAfterSeconds) } } : {}),
  };
}

export const errorResult = (error: ApiError): ApiResult => ({
  status: error.status,
  body: { status: 'ERROR', error: error.error, error_message: error.message, message: error.message },
});

export const notFound = (what: string): ApiResult =>
  errorResult({ status: 404, error: 'not_found', message: `${what} not found` });

export function sendGroupMessage(ctx: ApiContext, body: unknown): ApiResult {
  const checked = checkSend(body, ctx.lines);
  if (!checked.ok) return errorResult(checked.error);
  const input = checked.value;
  const { state } = ctx;
  if (ctx.lineLimiter && !ctx.lineLimiter.take(input.fromNumber)) {
    return rateLimited(ctx, 'Too many messages from this line: about 1 per second, bursts of 10');
  }

  const numbers = input.numbers ?? []; // checkSend guarantees numbers when there is no group_id
  let group = input.groupId !== undefined ? state.group(input.groupId) : state.findByMembers(numbers);
  if (input.groupId !== undefined && !group) return notFound(`Group ${input.groupId}`);
  if (input.replyTo) {
    const parent = state.message(input.replyTo.message_handle);
    if (!parent || parent.group_id !== group?.group_id) {
      return errorResult({
        status: 400,
        error: 'validation_error',
        message: 'reply_to.message_handle must be a message of this group',
      });
    }
  }
  group ??= state.createGroup(numbers, input.fromNumber);
  group.line = input.fromNumber;

  const message = state.addMessage({
    group,
    isOutbound: true,
    status: 'QUEUED',
    content: input.content,
    mediaUrl: input.mediaUrl,
    sendStyle: input.sendStyle,
    fromNumber: input.fromNumber,
    statusCallback: input.statusCallback,
    replyTo: input.replyTo,
  });
  const answer = messageRecord(message, ctx.accountEmail, !ctx.omitGroupIdInSendResponse);
  ctx.webhooks.scheduleStatuses(message);
  state.acceptedSends += 1;
  if (ctx.replyEvery > 0 && state.acceptedSends % ctx.replyEvery === 0) ctx.webhooks.scheduleReply(group.group_id);
  return { status: 200, body: answer };
}

export function modifyGroup(ctx: ApiContext, body: unknown): ApiResult {
  const checked = checkModify(body, ctx.lines);
  if (!checked.ok) return errorResult(checked.error);
  const { groupId, modifyType, number } = checked.value;
  const group = ctx.state.group(groupId);
  if (!group) return notFound(`Group ${groupId}`);
  const answer = (message: string): ApiResult => ({
    status: 200,
    body: { status: 'OK', message, group_id: groupId, modify_type: modifyType, number },
  });
  const reject = (message: string, error = 'validation_error'): ApiResult =>
    errorResult({ status: 400, error, message });

  const isMember = group.members.includes(number);
  if (modifyType === 'add_recipient') {
    if (isMember) return answer('number is already a member of the group; nothing changed');
    if (ctx.lines.includes(number)) return reject('number is a Sendblue line of this account and cannot be added');
    if (group.members.length >= MAX_GROUP_MEMBERS) {
      return reject(`number cannot be added: a group holds at most ${MAX_GROUP_MEMBERS} members`, 'group_full');
    }
    group.members.push(number);
    ctx.state.touch(group);
    return answer('Recipient added to the group');
  }
  // "At least four total members before the operation": our line counts as one of them.
  if (group.members.length + 1 < MIN_MEMBERS_FOR_REMOVE) {
    return reject(`remove_recipient needs a group of at least ${MIN_MEMBERS_FOR_REMOVE} members`, 'group_too_small');
  }
  if (!isMember) return reject('number is not a member of the group', 'not_a_member');
  group.members = group.members.filter((member) => member !== number);
  ctx.state.touch(group);
  return answer('Recipient removed from the group');
}

export function renameGroup(ctx: ApiContext, groupId: string, body: unknown): ApiResult {
  const checked = checkRename(body, ctx.lines);
  if (!checked.ok) return errorResult(checked.error);
  const group = ctx.state.group(groupId);
  if (!group) return notFound(`Group ${groupId}`);
  group.name = checked.value.name;
  ctx.state.touch(group);
  return {
    status: 200,
    body: {
      status: 'OK',
      data: { group_id: groupId, group_name: group.name ?? '', from_number: checked.value.fromNumber ?? group.line },
    },
  };
}

export function retrieveGroup(ctx: ApiContext, groupId: string): ApiResult {
  const group = ctx.state.group(groupId);
  if (!group) return notFound(`Group ${groupId}`);
  return { status: 200, body: { status: 'OK', data: groupRecord(group, ctx.state.latestInGroup(groupId)) } };
}

export function messageStatus(ctx: ApiContext, query: Record<string, string>): ApiResult {
  const handle = query.handle;
  if (!handle) return errorResult({ status: 400, error: 'validation_error', message: 'handle is required' });
  const message = ctx.state.message(handle);
  if (!message) return notFound(`Message ${handle}`);
  return { status: 200, body: messageRecord(message, ctx.accountEmail) };
}

export function retrieveMessage(ctx: ApiContext, handle: string): ApiResult {
  const message = ctx.state.message(handle);
  if (!message) return notFound(`Message ${handle}`);
  return { status: 200, body: { status: 'OK', data: listRecord(message, ctx.accountEmail) } };
}

export function listMessagesRoute(ctx: ApiContext, query: Record<string, string>): ApiResult {
  const listed = listMessages(ctx.state.allMessages(), query);
  if (!listed.ok) return errorResult(listed.error);
  const { page, limit, offset, total } = listed.value;
  return {
    status: 200,
    body: {
      status: 'OK',
      data: page.map((message) => listRecord(message, ctx.accountEmail)),
      pagination: { hasMore: offset + page.length < total, limit, offset, total },
    },
  };
}
