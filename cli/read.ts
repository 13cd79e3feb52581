import { createReader, RemoteError, type Reader } from '../client/reader.js';
import { REACTION_MARKS, type ReactionView } from '../lambdas/contract/reactions.js';
import { characterCount } from '../lambdas/contract/sendblue-rules.js';
import {
  isCommandSettled,
  type GroupView,
  type MessageDetailView,
  type MessagePageView,
  type TimelineMessageView,
} from '../lambdas/contract/views.js';
import { CliError, EXIT, requirePositionals, usageError } from './context.js';
import { commandLines, shortTime, statusMark, type CommandView } from './format.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';
import { notSentError, notSettledMessage, parseTimeout, waitForCommand } from './wait.js';

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

Exit code: 0 when the command is sent, or still on its way (queued, sending, or unknown with a
check due) without --wait; 2 when it failed (it is on the DLQ), when a tapback ended unknown for
good (it may have been sent; it is not repeated), with --wait when it did not settle in time, and
when it cannot be read (an unknown id: 404); 1 for a usage error.

${GLOBAL_HELP}`,
  async run(ctx, values, positionals) {
    const [commandId] = requirePositionals(positionals, ['command_id'], 'status');
    if (!values.wait) {
      const view = await createReader(await ctx.target()).get<CommandView>(`/commands/${id(commandId!)}`);
      ctx.print(view, () => commandLines(view, ctx.hint));
      const notSent = notSentError(view);
      if (notSent) throw notSent;
      return;
    }
    const timeout = parseTimeout(values.timeout);
    const { view } = await waitForCommand(ctx, commandId!, timeout);
    if (view) ctx.print(view, () => commandLines(view, ctx.hint));
    // Not settled in time (or never seen): exit 2, with where it is and how to go on following it.
    if (!view || !isCommandSettled(view))
      throw new CliError(notSettledMessage(ctx, commandId!, timeout, view), EXIT.remote, view !== undefined);
    const notSent = notSentError(view);
    if (notSent) throw notSent;
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

/** A message as `history` shows it: the timeline's, and the link to its kept media copy when there is one. */
export type MessageView = TimelineMessageView & { media_archive_url?: string | null };

/** Longer texts are cut here in `history`'s lines (Unicode characters, as Sendblue counts them); --full shows them whole. */
export const HISTORY_TEXT_CHARS = 200;
/** GET /messages/{handle} calls at a time, for the media links of one page. */
const MEDIA_LOOKUPS_AT_ONCE = 8;

export const historyCommand: CliCommand = {
  name: 'history',
  summary: "a group's conversation, one page at a time, with status marks",
  options: {
    limit: { type: 'string' },
    cursor: { type: 'string' },
    all: { type: 'boolean' },
    full: { type: 'boolean' },
  },
  help: `Usage: cli history GROUP_ID [--limit N] [--cursor CURSOR] [--all] [--full]

Newest page first (GET /groups/{id}/messages), printed oldest to newest; "→" we sent, "←" a member
wrote. Marks: … registered/pending/queued/accepted, ✓ sent, ✓✓ delivered or read, ✗ error/declined (then the status).
Tapbacks follow the text in brackets, oldest first, with who sent them ("us" for our line) and the
part when it is not the first: [❤️ +15551230002, 👍 us, ❓ +15551230003 part 1].
A text longer than ${HISTORY_TEXT_CHARS} characters is cut, marked "… [+N characters]"; --full shows it whole.
Media show as [media (kept copy) LINK] when the stack kept a copy (the link GET /messages/{handle}
gives, valid for an hour), else as [media LINK] with the link Sendblue sent (it expires after 30 days).
  --limit N        messages per page, 1-100 (default 20)
  --cursor CURSOR  the next (older) page, as printed at the end of a page
  --all            every page
  --full           every text whole
With --json: the pages' messages, each whole and with media_archive_url (null without a kept copy).

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
      messages.push(...(await withMediaCopies(reader, page.messages)));
      cursor = page.next_cursor ?? undefined;
    } while (values.all && cursor);
    const full = values.full === true;
    ctx.print({ group_id: groupId, messages, next_cursor: cursor ?? null }, () => {
      const lines = messages.length
        ? [...messages].reverse().map((m) => historyLine(m, { full }))
        : [`no messages in group ${groupId}`];
      // The same page again, every text whole.
      const cut = !full && messages.some((m) => characterCount(m.content ?? '') > HISTORY_TEXT_CHARS);
      const again = [
        'history',
        groupId!,
        ...(values.limit === undefined ? [] : ['--limit', String(limit)]),
        ...(values.cursor === undefined ? [] : ['--cursor', String(values.cursor)]),
        ...(values.all ? ['--all'] : []),
      ];
      return [
        ...lines,
        ...(cut
          ? [`long texts are cut at ${HISTORY_TEXT_CHARS} characters; whole: ${ctx.hint(...again, '--full')}`]
          : []),
        ...(cursor
          ? [
              `older messages: ${ctx.hint('history', groupId!, ...(values.limit === undefined ? [] : ['--limit', String(limit)]), ...(full ? ['--full'] : []), '--cursor', cursor)}`,
            ]
          : []),
      ];
    });
  },
};

/**
 * The page's messages with `media_archive_url`: the link to the kept copy, read from
 * GET /messages/{handle} for each message with media (the timeline does not carry it: docs/media.md),
 * null when there is no copy (yet, or it was refused) or the message cannot be read.
 */
async function withMediaCopies(reader: Reader, messages: TimelineMessageView[]): Promise<MessageView[]> {
  const out: MessageView[] = messages.map((m) => ({ ...m, media_archive_url: null }));
  const withMedia = out.filter((m) => m.media_url);
  for (let i = 0; i < withMedia.length; i += MEDIA_LOOKUPS_AT_ONCE) {
    await Promise.all(
      withMedia.slice(i, i + MEDIA_LOOKUPS_AT_ONCE).map(async (m) => {
        try {
          const detail = await reader.get<MessageDetailView>(`/messages/${id(m.message_handle)}`);
          m.media_archive_url = detail.media_archive_url ?? null;
        } catch (error) {
          // The original link is still worth showing; anything but a failed read is a real error.
          if (!(error instanceof RemoteError)) throw error;
        }
      }),
    );
  }
  return out;
}

/** One message: time, who, the text (cut unless `full`), its media link, status mark, tapbacks. */
export function historyLine(m: MessageView, { full = false }: { full?: boolean } = {}): string {
  const who = m.direction === 'outbound' ? '→ us' : `← ${m.from_number ?? '?'}`;
  const media = m.media_archive_url
    ? `[media (kept copy) ${m.media_archive_url}]`
    : m.media_url
      ? `[media ${m.media_url}]`
      : '';
  const content = m.content && !full ? cutText(m.content, HISTORY_TEXT_CHARS) : m.content;
  const text = [content, media].filter(Boolean).join(' ');
  const mark = m.direction === 'outbound' ? `  ${statusMark(m.status)}` : '';
  const tapbacks = m.reactions?.length ? `  [${m.reactions.map(tapbackLabel).join(', ')}]` : '';
  return `${shortTime(m.date_sent)}  ${who.padEnd(15)}  ${text}${mark}${tapbacks}`;
}

/**
 * A text of at most `limit` characters (Unicode code points, as Sendblue counts them), cut between
 * whole graphemes (an emoji made of several code points stays whole), then `… [+N characters]` for
 * what was left out.
 */
export function cutText(text: string, limit: number): string {
  const total = characterCount(text);
  if (total <= limit) return text;
  let kept = '';
  let count = 0;
  for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)) {
    const size = characterCount(segment);
    if (count + size > limit) break;
    kept += segment;
    count += size;
  }
  return `${kept}… [+${(total - count).toLocaleString('en-US')} characters]`;
}

/** `❤️ +15551230002`, `👍 us`, `❓ +15551230003 part 1`. */
export function tapbackLabel(r: ReactionView): string {
  const who = r.direction === 'outbound' ? 'us' : (r.from_number ?? '?');
  return `${REACTION_MARKS[r.reaction] ?? r.reaction} ${who}${r.part_index ? ` part ${r.part_index}` : ''}`;
}
