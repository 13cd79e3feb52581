import type { ModifyGroupCommand, SendGroupMessageCommand } from '../contract/commands.js';
import { MAX_GROUP_MEMBERS, MIN_MEMBERS_FOR_REMOVE } from '../contract/sendblue-rules.js';

/**
 * Pre-flight: the rules a command is checked against before any Sendblue call, from what the table
 * knows (the group's members and our lines in it, who opted out). Plain, no I/O; each rule's source
 * (Sendblue's documentation, or our choice) is in docs/sending.md "Pre-flight". A refusal ends the
 * command `failed` with its reason on the DLQ, no call made; a warning is kept on the `sent` command.
 */

/**
 * What to do with a send that reaches members who opted out (the `optedOutMembers` setting).
 * `refuse`: never call; `send`: call anyway (Sendblue skips them per recipient), with a warning.
 * Unset: refuse a new group given by `numbers`, send to an existing `group_id` with a warning.
 */
export type OptedOutMembersPolicy = 'refuse' | 'send';
export const OPTED_OUT_MEMBERS_POLICIES: readonly OptedOutMembersPolicy[] = ['refuse', 'send'];
export const isOptedOutMembersPolicy = (value: unknown): value is OptedOutMembersPolicy =>
  typeof value === 'string' && (OPTED_OUT_MEMBERS_POLICIES as readonly string[]).includes(value);

/** The sender's pre-flight settings (docs/sending.md "Pre-flight"). */
export interface PreflightSettings {
  /** Sends that reach opted-out members. @default undefined: refuse a new group, warn for a group_id */
  optedOutMembers?: OptedOutMembersPolicy;
  /** Our lines besides the stack's and the command's, to tell them from members. @default none */
  lines?: readonly string[];
}

/** What the table knows about a group: everyone in it as last seen, our lines among them. */
export interface KnownGroup {
  /** Everyone in the group, our lines included (webhooks' `participants` and accepted changes). */
  everyone: readonly string[];
  /** Our lines among them. */
  lines: readonly string[];
}

export interface PreflightFacts {
  /** The group, when the command names one and the table knows its members. */
  group?: KnownGroup;
  /** Our lines (the stack's line, the command's, any configured or seen in the group). */
  ourLines: ReadonlySet<string>;
  /** Numbers among the command's members that are opted out now. */
  optedOut: ReadonlySet<string>;
  policy?: OptedOutMembersPolicy;
}

export type PreflightVerdict =
  | { action: 'go'; warning?: string }
  /** `code`: a short stable name (Sendblue's error name where it has one), `reason`: for people. */
  | { action: 'refuse'; code: PreflightCode; reason: string };

export type PreflightCode =
  | 'recipient_opted_out'
  | 'too_many_members'
  | 'group_too_small'
  | 'already_a_member'
  | 'line_not_addable'
  | 'ambiguous_sending_line';

const GO: PreflightVerdict = { action: 'go' };
const refuse = (code: PreflightCode, reason: string): PreflightVerdict => ({
  action: 'refuse',
  code,
  reason: `refused before calling Sendblue (${code}): ${reason}`,
});
const list = (numbers: Iterable<string>) => [...numbers].sort().join(', ');

/** The members a command reaches: its numbers, or the known group, without our lines. */
export function membersReached(
  command: Pick<SendGroupMessageCommand, 'numbers' | 'group_id'>,
  facts: Pick<PreflightFacts, 'group' | 'ourLines'>,
): string[] {
  const everyone = command.numbers ?? facts.group?.everyone ?? [];
  return [...new Set(everyone)].filter((number) => !facts.ourLines.has(number));
}

/** Several of our lines in the group and the command names none: Sendblue cannot tell which acts. */
function ambiguousLine(command: { from_number?: string }, group: KnownGroup | undefined): PreflightVerdict | undefined {
  if (command.from_number || !group || group.lines.length < 2) return undefined;
  return refuse(
    'ambiguous_sending_line',
    `the group has several of our lines (${list(group.lines)}); name the one to use in from_number`,
  );
}

export function checkSend(command: SendGroupMessageCommand, facts: PreflightFacts): PreflightVerdict {
  const ambiguous = ambiguousLine(command, command.group_id ? facts.group : undefined);
  if (ambiguous) return ambiguous;
  const members = membersReached(command, facts);
  if (members.length > MAX_GROUP_MEMBERS) {
    return refuse('too_many_members', `the group has ${members.length} members; Sendblue allows ${MAX_GROUP_MEMBERS}`);
  }
  const optedOut = members.filter((member) => facts.optedOut.has(member));
  if (!optedOut.length) return GO;
  const who = `${optedOut.length === 1 ? 'member' : 'members'} ${list(optedOut)} opted out (texted STOP or were opted out)`;
  if (optedOut.length === members.length) {
    return refuse(
      'recipient_opted_out',
      `every member of the group opted out (${list(optedOut)}); nobody would receive it`,
    );
  }
  const newGroup = command.group_id === undefined;
  const refuses = facts.policy === 'refuse' || (facts.policy === undefined && newGroup);
  if (refuses) {
    return refuse(
      'recipient_opted_out',
      `${who}; ${newGroup ? 'a new group is not started with them' : 'optedOutMembers is refuse'}. Remove them, or wait until they text START (or opt them back in: cli contacts opt-in)`,
    );
  }
  // Sendblue skips a number that texted STOP; one opted out only by an operator's command
  // (set_contact_opt) is not known to Sendblue and still gets it (docs/sending.md "Contact opt-outs").
  return { action: 'go', warning: `sent; ${who}: Sendblue skips a number that texted STOP` };
}

export function checkModify(command: ModifyGroupCommand, facts: PreflightFacts): PreflightVerdict {
  if (command.modify_type === 'rename') return GO;
  const number = command.number!;
  if (facts.ourLines.has(number)) {
    return refuse('line_not_addable', `${number} is one of our lines; lines cannot be added or removed`);
  }
  const group = facts.group;
  // Nothing known about the group (a group seen by no webhook yet): Sendblue decides.
  if (!group) return GO;
  const ambiguous = ambiguousLine(command, group);
  if (ambiguous) return ambiguous;
  const present = group.everyone.includes(number);
  if (command.modify_type === 'add_recipient') {
    if (present) return refuse('already_a_member', `${number} is already in the group`);
    const members = group.everyone.filter((member) => !facts.ourLines.has(member)).length;
    if (members + 1 > MAX_GROUP_MEMBERS) {
      return refuse('too_many_members', `the group has ${members} members; Sendblue allows ${MAX_GROUP_MEMBERS}`);
    }
    return GO;
  }
  // Removing someone the table does not show in the group is left to Sendblue: the table may be
  // behind a change made outside this stack, and a remove that Sendblue finds done is no harm.
  if (group.everyone.length < MIN_MEMBERS_FOR_REMOVE) {
    return refuse(
      'group_too_small',
      `the group has ${group.everyone.length} in it (our lines counted); Sendblue removes someone only from a group of ${MIN_MEMBERS_FOR_REMOVE} or more`,
    );
  }
  return GO;
}
