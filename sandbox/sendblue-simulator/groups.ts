/**
 * Group changes and the group read: POST /api/modify-group (add/remove, Sendblue's membership
 * rules), POST /api/v2/groups/{id}/name, GET /api/v2/groups/{id}.
 */
import { MAX_GROUP_MEMBERS, MIN_MEMBERS_FOR_REMOVE } from '../../lambdas/contract/sendblue-rules.js';
import { type ApiResult, errorResult, invalidResult, notFound } from './answers.js';
import type { ApiContext } from './context.js';
import { lineInGroup, offlineLine } from './line-rules.js';
import { groupRecord } from './records.js';
import { checkModify, checkRename } from './validate.js';

export function modifyGroup(ctx: ApiContext, body: unknown): ApiResult {
  const checked = checkModify(body, ctx.lines.numbers);
  if (!checked.ok) return errorResult(checked.error);
  const { groupId, modifyType, number, fromNumber } = checked.value;
  const group = ctx.state.group(groupId);
  if (!group) return notFound(`Group ${groupId}`);
  const line = lineInGroup(group, fromNumber);
  if (typeof line !== 'string') return line;
  const offline = offlineLine(ctx, line);
  if (offline) return offline;
  const answer = (message: string): ApiResult => ({
    status: 200,
    body: { status: 'OK', message, group_id: groupId, modify_type: modifyType, number },
  });

  const isMember = group.members.includes(number);
  if (ctx.lines.has(number))
    return invalidResult('number is one of your Sendblue lines: lines cannot be added or removed');
  if (modifyType === 'add_recipient') {
    // Sendblue reports success "only after ... the group's persisted membership changed" (SDK 3.17): no change, no success.
    if (isMember) return invalidResult('number is already a member of the group; nothing changed', 'already_a_member');
    if (group.members.length >= MAX_GROUP_MEMBERS) {
      return invalidResult(`number cannot be added: a group holds at most ${MAX_GROUP_MEMBERS} members`, 'group_full');
    }
    group.members.push(number);
    ctx.state.touch(group);
    return answer('Recipient added to the group');
  }
  // "At least four total members before the operation": the account's lines in the group count as members.
  if (group.members.length + group.lines.length < MIN_MEMBERS_FOR_REMOVE) {
    return invalidResult(
      `remove_recipient needs a group of at least ${MIN_MEMBERS_FOR_REMOVE} members`,
      'group_too_small',
    );
  }
  if (!isMember) return invalidResult('number is not a member of the group', 'not_a_member');
  group.members = group.members.filter((member) => member !== number);
  ctx.state.touch(group);
  return answer('Recipient removed from the group');
}

/**
 * Renaming: Sendblue picks "an eligible line in the group" unless `from_number` names one, which
 * must be able to act (SDK 3.17). The simulator lets any account line rename (as it always did)
 * and refuses only an OFFLINE one.
 */
export function renameGroup(ctx: ApiContext, groupId: string, body: unknown): ApiResult {
  const checked = checkRename(body, ctx.lines.numbers);
  if (!checked.ok) return errorResult(checked.error);
  const group = ctx.state.group(groupId);
  if (!group) return notFound(`Group ${groupId}`);
  const line =
    checked.value.fromNumber ??
    [group.line, ...group.lines].find((candidate) => ctx.lines.status(candidate) !== 'OFFLINE') ??
    group.line;
  const offline = offlineLine(ctx, line);
  if (offline) return offline;
  group.name = checked.value.name;
  ctx.state.touch(group);
  return {
    status: 200,
    body: {
      status: 'OK',
      data: { group_id: groupId, group_name: group.name ?? '', from_number: line },
    },
  };
}

export function retrieveGroup(ctx: ApiContext, groupId: string): ApiResult {
  const group = ctx.state.group(groupId);
  if (!group) return notFound(`Group ${groupId}`);
  return { status: 200, body: { status: 'OK', data: groupRecord(group, ctx.state.latestInGroup(groupId)) } };
}
