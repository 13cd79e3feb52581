/**
 * The sandbox page's plain logic: a group's title, a list entry's preview, time labels, the text of
 * change lines and failed entries, and the order of a conversation. The page runs these very
 * functions: `PAGE_LOGIC_SCRIPT` is their source, put into the page's script (no build step), and
 * the unit tests call them here. So each one is self-contained: no imports, no module constants,
 * only other functions of this list (they share the page script's scope).
 */

/** A message as the read API answers it (`messageView`), as far as the page reads it. */
export interface PageMessage {
  message_handle: string;
  direction: string;
  status?: string;
  content?: string | null;
  media_url?: string | null;
  from_number?: string | null;
  date_sent?: string | null;
  /** Tapbacks on it, oldest first (the read API's `reactions`). */
  reactions?: readonly PageReaction[];
}

/** A tapback as the read API shows it, as far as the page reads it. */
export interface PageReaction {
  reaction: string;
  from_number: string | null;
  direction: string;
  part_index?: number;
}

/** One mark under a bubble: a kind of tapback, how many, and who (for its tooltip). */
export interface TapbackMark {
  reaction: string;
  mark: string;
  count: number;
  who: string;
}

/** A command that was not done (sandbox route `/__sandbox/groups`, `failed`; failed-commands.ts). */
export interface PageFailedCommand {
  command_id: string;
  type: string;
  group_id: string | null;
  numbers: string[] | null;
  content: string | null;
  media_url: string | null;
  modify_type: string | null;
  number: string | null;
  name: string | null;
  /** A send_reaction: the message it was for, and which tapback. */
  message_handle: string | null;
  reaction: string | null;
  reason: string;
  at: string;
}

/** A change of a group's members or name (sandbox route `/__sandbox/groups/{id}/changes`; group-changes.ts). */
export interface PageGroupChange {
  at: string;
  added: string[];
  removed: string[];
  /** Set when the name changed: the new name, or null when it was cleared. */
  renamed?: { to: string | null };
}

/** A line paused by a Sendblue outage (sandbox route `/__sandbox/groups`, `paused_lines`; line-pauses.ts). */
export interface PagePausedLine {
  line: string;
  /** When its breaker opened (ISO). */
  since: string;
  /** The failure that opened it, or the last probe's. */
  reason: string | null;
  /** Seconds between probes now. */
  probe_every_s: number;
  next_probe_at: string | null;
}

export type TimelineEntry =
  | { kind: 'message'; at: string; message: PageMessage }
  | { kind: 'failed'; at: string; failed: PageFailedCommand }
  | { kind: 'change'; at: string; change: PageGroupChange };

/**
 * The title of a group: its name, else its members ("+15551230001, +15551230002 and 2 more")
 * without our own Sendblue lines, never its id.
 */
export function groupTitle(
  name: string | null | undefined,
  members: readonly string[],
  ownLines: readonly string[] = [],
): string {
  const trimmed = (name ?? '').trim();
  if (trimmed) return trimmed;
  const others = members.filter((member) => !ownLines.includes(member));
  if (!others.length) return 'Unnamed group';
  if (others.length <= 3) return others.join(', ');
  return `${others.slice(0, 2).join(', ')} and ${others.length - 2} more`;
}

/** A group's members for the conversation header, each opted-out one marked ("+1555… ⊘ opted out"). */
export function memberLine(members: readonly string[], optedOut: readonly string[] = []): string {
  return members.map((member) => (optedOut.includes(member) ? `${member} ⊘ opted out` : member)).join(', ');
}

/**
 * How a command that was not done is named: "refused" when pre-flight stopped it before any
 * Sendblue call (docs/sending.md "Pre-flight"), else "failed".
 */
export function failedWord(reason: string | null | undefined): 'refused' | 'failed' {
  return (reason ?? '').startsWith('refused before calling Sendblue') ? 'refused' : 'failed';
}

/** A phone number shortened for a preview line: "…0002". */
export function shortNumber(number: string | null | undefined): string {
  const digits = (number ?? '').replace(/\D/g, '');
  return digits.length > 4 ? `…${digits.slice(-4)}` : number || 'someone';
}

/** Text shortened to `max` characters on one line, with "…" when cut. */
export function clip(text: string | null | undefined, max: number): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/** A group list entry's preview of its newest message: "You: Hello…", "…0002: [media]". */
export function previewText(message: PageMessage | null | undefined): string {
  if (!message) return 'No messages yet';
  const sender = message.direction === 'outbound' ? 'You' : shortNumber(message.from_number);
  const text = clip(message.content, 60);
  return `${sender}: ${text || (message.media_url ? '[media]' : '(empty)')}`;
}

/**
 * When something happened, in the viewer's time zone: "14:03" today, "Yesterday 14:03",
 * "Mon 30 Nov 14:03" this year, "30 Nov 2025 14:03" before. Every time label on the page uses it.
 */
export function timeLabel(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const now = new Date(nowMs);
  const dayStart = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const daysAgo = Math.round((dayStart(now) - dayStart(date)) / 86_400_000);
  if (daysAgo === 0) return clock;
  if (daysAgo === 1) return `Yesterday ${clock}`;
  const dayMonth = `${date.getDate()} ${months[date.getMonth()]}`;
  if (date.getFullYear() === now.getFullYear()) return `${days[date.getDay()]} ${dayMonth} ${clock}`;
  return `${dayMonth} ${date.getFullYear()} ${clock}`;
}

/** The grey lines a change shows: "+15551230003 was added", "renamed to Weekend plans". */
export function changeTexts(change: PageGroupChange): string[] {
  return [
    ...change.added.map((number) => `${number} was added`),
    ...change.removed.map((number) => `${number} was removed`),
    ...(change.renamed ? [change.renamed.to ? `renamed to ${change.renamed.to}` : 'the name was removed'] : []),
  ];
}

/** What a failed command was meant to do, in a few words ("add +15551230004", "rename to X"). */
export function failedAction(failed: PageFailedCommand): string {
  if (failed.type === 'send_group_message') return 'message';
  if (failed.modify_type === 'add_recipient') return `add ${failed.number ?? 'a member'}`;
  if (failed.modify_type === 'remove_recipient') return `remove ${failed.number ?? 'a member'}`;
  if (failed.modify_type === 'rename') return `rename to ${failed.name ?? '?'}`;
  if (failed.type === 'send_reaction') return `tap back ${failed.reaction ?? '?'}`;
  if (failed.type === 'set_contact_opt') return `opt ${failed.number ?? 'a contact'} out or in`;
  return failed.type || 'command';
}

/**
 * The small marks under a bubble: one per kind of tapback, in the order first given, with a count
 * when several people gave it and who did ("you" for our line) for the tooltip. `marks`: the
 * glyph of each kind (REACTION_MARKS); an unknown kind shows its name.
 */
export function tapbackMarks(
  reactions: readonly PageReaction[] | null | undefined,
  marks: Readonly<Record<string, string>>,
): TapbackMark[] {
  const byKind = new Map<string, { count: number; who: string[] }>();
  for (const r of reactions ?? []) {
    const kind = byKind.get(r.reaction) ?? { count: 0, who: [] };
    kind.count += 1;
    const who = r.direction === 'outbound' ? 'you' : r.from_number || 'someone';
    kind.who.push(r.part_index ? `${who} (part ${r.part_index})` : who);
    byKind.set(r.reaction, kind);
  }
  return [...byKind].map(([reaction, { count, who }]) => ({
    reaction,
    mark: marks[reaction] ?? reaction,
    count,
    who: `${reaction}: ${who.join(', ')}`,
  }));
}

/** A conversation in order: messages, failed commands and changes by time; a change first on a tie (it came with that message). */
export function buildTimeline(
  messages: readonly PageMessage[],
  failed: readonly PageFailedCommand[],
  changes: readonly PageGroupChange[],
): TimelineEntry[] {
  const rank = { change: 0, message: 1, failed: 2 };
  const entries: TimelineEntry[] = [
    ...messages.map((message) => ({ kind: 'message' as const, at: message.date_sent ?? '', message })),
    ...failed.map((item) => ({ kind: 'failed' as const, at: item.at, failed: item })),
    ...changes.map((change) => ({ kind: 'change' as const, at: change.at, change })),
  ];
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) => a.entry.at.localeCompare(b.entry.at) || rank[a.entry.kind] - rank[b.entry.kind] || a.index - b.index,
    )
    .map(({ entry }) => entry);
}

/**
 * The banner of a paused line: "Sendblue unreachable from +15550000000 since 14:03 (why): messages
 * wait and go out once it answers; checking every 8 s". `since` is shown with timeLabel.
 */
export function pausedLineText(paused: PagePausedLine, nowMs: number): string {
  const why = paused.reason ? ` (${paused.reason})` : '';
  const every = paused.probe_every_s > 0 ? `; checking every ${paused.probe_every_s} s` : '';
  return `Sendblue unreachable from ${paused.line} since ${timeLabel(paused.since, nowMs)}${why}: messages wait and go out once it answers${every}`;
}

/**
 * The paused lines a group sends from: those among its members (a group lists the lines in it),
 * else, when none of our lines is listed, the sandbox's own line (`ownLines[0]`).
 */
export function pausedLinesOf(
  paused: readonly PagePausedLine[],
  members: readonly string[],
  ownLines: readonly string[],
): PagePausedLine[] {
  const ours = ownLines.filter((line) => members.includes(line));
  const lines = ours.length ? ours : ownLines.slice(0, 1);
  return paused.filter((entry) => lines.includes(entry.line));
}

/** The functions above, in the order the page script declares them. */
const PAGE_LOGIC = [
  groupTitle,
  memberLine,
  failedWord,
  shortNumber,
  clip,
  previewText,
  timeLabel,
  changeTexts,
  failedAction,
  tapbackMarks,
  buildTimeline,
  pausedLineText,
  pausedLinesOf,
];

/**
 * Their source for the page's script. The TypeScript loaders (tsx, Vitest) compile with esbuild's
 * keepNames, which calls a `__name` helper inside function bodies; the page defines it as a no-op.
 */
export const PAGE_LOGIC_SCRIPT = ['const __name = (fn) => fn;', ...PAGE_LOGIC.map(String)].join('\n');
