import type { ModifyGroupCommand, SendGroupMessageCommand } from '../contract/commands.js';
import { GROUP_SUMMARY_WINDOW, groupView } from '../contract/views.js';
import type { AttemptStore } from './ports.js';
import {
  checkModify,
  checkSend,
  membersReached,
  type KnownGroup,
  type PreflightSettings,
  type PreflightVerdict,
} from './preflight.js';

/** What pre-flight reads (an attempt's deps are one). */
export interface PreflightDeps {
  store: Pick<AttemptStore, 'getGroup' | 'listGroupMessages' | 'optedOutAmong'>;
  settings: { fromNumber: string; preflight?: PreflightSettings };
}

/**
 * The facts pre-flight decides on, read from the table (no Sendblue call): the group as the read
 * API shows it (its record, or a newer message's participants) and the lines seen in its recent
 * messages, then the opt-outs of the members the command reaches. Reads only: a group command
 * costs a GetItem, a Query of one page and a BatchGetItem; a send to numbers only the BatchGetItem.
 */
async function factsFor(
  deps: PreflightDeps,
  command: { group_id?: string; numbers?: string[] },
  line: string,
  needGroup: boolean,
) {
  const { store, settings } = deps;
  const ourLines = new Set([settings.fromNumber, line, ...(settings.preflight?.lines ?? [])]);
  let group: KnownGroup | undefined;
  if (needGroup && command.group_id) {
    const [record, recent] = await Promise.all([
      store.getGroup(command.group_id),
      store.listGroupMessages(command.group_id, { limit: GROUP_SUMMARY_WINDOW, order: 'desc' }),
    ]);
    // Lines that sent its recent messages are ours too (the index holds no sendblue_number).
    for (const message of recent.items)
      if (message.direction === 'outbound' && message.from_number) ourLines.add(message.from_number);
    const everyone = groupView(command.group_id, record, recent.items).members;
    if (everyone.length) group = { everyone, lines: everyone.filter((number) => ourLines.has(number)) };
  }
  return { group, ourLines };
}

/** A send's pre-flight: its group (for a group_id) and who among its members opted out. */
export async function preflightSend(
  deps: PreflightDeps,
  command: SendGroupMessageCommand,
  line: string,
): Promise<PreflightVerdict> {
  const { group, ourLines } = await factsFor(deps, command, line, command.numbers === undefined);
  const members = membersReached(command, { group, ourLines });
  const optedOut = members.length ? await deps.store.optedOutAmong(members) : new Set<string>();
  return checkSend(command, { group, ourLines, optedOut, policy: deps.settings.preflight?.optedOutMembers });
}

/** A group change's pre-flight: the group's members and lines (a rename needs nothing). */
export async function preflightModify(
  deps: PreflightDeps,
  command: ModifyGroupCommand,
  line: string,
): Promise<PreflightVerdict> {
  if (command.modify_type === 'rename') return { action: 'go' };
  const { group, ourLines } = await factsFor(deps, command, line, true);
  return checkModify(command, { group, ourLines, optedOut: new Set() });
}
