import { createReader } from '../client/reader.js';
import { REACTION_MARKS, type ReactionView } from '../lambdas/contract/reactions.js';
import {
  isCommandSettled,
  type GroupView,
  type MessagePageView,
  type TimelineMessageView,
} from '../lambdas/contract/views.js';
import { CliError, EXIT, requirePositionals, usageError } from './context.js';
import { commandLines, shortTime, statusMark, type CommandView } from './format.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';
import { notSettledMessage, parseTimeout, waitForCommand } from './wait.js';

const id = (value: string) => encodeURIComponent(value);

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'where a command is (queued, sending, sent, failed, unknown)',
  options: { wait: { type: 'boolean' }, timeout: { type: 'string' } },
  help: `Usage: cli status COMMAND_ID [--wait [--timeout SECONDS]]

Shows GET /commands/{id}: state, group_id, message_handle, error.
  --wait      wait until the command settles: sent, failed, or (a reaction) unknown for good
              (on a terminal: each change as it happens);
              exit 2 if it has not settled by --timeout
  --timeout   seconds to wait (default 30)

${GLOBAL_HELP}`,
  async run(ctx, values, positionals) {
    const [commandId] = requirePositionals(positionals, ['command_id'], 'status');
    if (!values.wait) {
      const view = await createReader(await ctx.target()).get<CommandView>(`/commands/${id(commandId!)}`);
      return ctx.print(view, () => commandLines(view, ctx.hint));
    }
    const timeout = parseTimeout(values.timeout);
    const { view } = await waitForCommand(ctx, commandId!, timeout);
    if (view) ctx.print(view, () => commandLines(view, ctx.hint));
    // Not settled in time (or never seen): exit 2, with where it is and how to go on following it.
    if (!view || !isCommandSettled(view))
      throw new CliError(notSettledMessage(ctx, commandId!, timeout, view), EXIT.remote, view !== undefined);
  },
};

export const groupCommand: CliCommand = {
  name: 'group',
  summary: 'a group: members, name, last message',
  options: {},
  help: `Usage: cli group GROUP_ID\n\nShows GET /groups/{id}. Numbers are shown in full (they are yours).\n\n${GLOBAL_HELP}`,
  async run(ctx, _values, positionals) {
    const [groupId] = requirePositionals(positionals, ['group_id'], 'group');
    const group = await createReader(await ctx.target()).get<GroupView>(`/groups/${id(groupId!)}`);
    ctx.print(group, () => [
      `group ${group.group_id}${group.name ? ` "${group.name}"` : ''}`,
      `  members       ${group.members.join(', ') || '-'}`,
      `  created       ${shortTime(group.created_at)}`,
      `  last message  ${shortTime(group.last_message_at)}`,
    ]);
  },
};

export type MessageView = TimelineMessageView;

export const historyCommand: CliCommand = {
  name: 'history',
  summary: "a group's conversation, one page at a time, with status marks",
  options: { limit: { type: 'string' }, cursor: { type: 'string' }, all: { type: 'boolean' } },
  help: `Usage: cli history GROUP_ID [--limit N] [--cursor CURSOR] [--all]

Newest page first (GET /groups/{id}/messages), printed oldest to newest; "→" we sent, "←" a member
wrote. Marks: … registered/pending/queued/accepted, ✓ sent, ✓✓ delivered or read, ✗ error/declined (then the status).
Tapbacks follow the text in brackets, oldest first, with who sent them ("us" for our line) and the
part when it is not the first: [❤️ +15551230002, 👍 us, ❓ +15551230003 part 1].
  --limit N        messages per page, 1-100 (default 20)
  --cursor CURSOR  the next (older) page, as printed at the end of a page
  --all            every page

${GLOBAL_HELP}`,
  async run(ctx, values, positionals) {
    const [groupId] = requirePositionals(positionals, ['group_id'], 'history');
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw usageError('history: --limit must be a whole number from 1 to 100');
    const reader = createReader(await ctx.target());
    let cursor = values.cursor as string | undefined;
    const messages: MessageView[] = [];
    do {
      const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
      const page = await reader.get<MessagePageView>(`/groups/${id(groupId!)}/messages?${query}`);
      messages.push(...page.messages);
      cursor = page.next_cursor ?? undefined;
    } while (values.all && cursor);
    ctx.print({ group_id: groupId, messages, next_cursor: cursor ?? null }, () => [
      ...(messages.length ? [...messages].reverse().map(historyLine) : [`no messages in group ${groupId}`]),
      ...(cursor
        ? [
            `older messages: ${ctx.hint('history', groupId!, ...(values.limit === undefined ? [] : ['--limit', String(limit)]), '--cursor', cursor)}`,
          ]
        : []),
    ]);
  },
};

export function historyLine(m: MessageView): string {
  const who = m.direction === 'outbound' ? '→ us' : `← ${m.from_number ?? '?'}`;
  const text = [m.content, m.media_url ? `[media ${m.media_url}]` : ''].filter(Boolean).join(' ');
  const mark = m.direction === 'outbound' ? `  ${statusMark(m.status)}` : '';
  const tapbacks = m.reactions?.length ? `  [${m.reactions.map(tapbackLabel).join(', ')}]` : '';
  return `${shortTime(m.date_sent)}  ${who.padEnd(15)}  ${text}${mark}${tapbacks}`;
}

/** `❤️ +15551230002`, `👍 us`, `❓ +15551230003 part 1`. */
export function tapbackLabel(r: ReactionView): string {
  const who = r.direction === 'outbound' ? 'us' : (r.from_number ?? '?');
  return `${REACTION_MARKS[r.reaction] ?? r.reaction} ${who}${r.part_index ? ` part ${r.part_index}` : ''}`;
}
