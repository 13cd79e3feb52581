import { followEvents, listEvents, type EventEnvelope } from '../client/events.js';
import { CliError, EXIT, usageError } from './context.js';
import { shortTime, statusMark } from './format.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

export const eventsCommand: CliCommand = {
  name: 'events',
  summary: 'the events the stack publishes (sandbox: its local log); --follow as they happen',
  options: { follow: { type: 'boolean', short: 'f' }, after: { type: 'string' }, count: { type: 'string' } },
  help: `Usage: cli events [--follow] [--after SEQ] [--count N]

The domain events (Group Message Received, Message Status Changed, Command Settled, Group
Changed) the sandbox published, oldest first: what a deployed stack puts on its EventBridge bus.
  -f, --follow   keep printing events as they happen (Ctrl-C to stop)
  --after SEQ    only events after this position (--json prints last_seq to pass here next time)
  --count N      with --follow: stop after N events (exit 2 if the sandbox stops first)
With --json: { events, last_seq }, or with --follow one JSON event per line.
In AWS there is nothing to read back: subscribe to the bus with an EventBridge rule (docs/events.md).

${GLOBAL_HELP}`,
  async run(ctx, values) {
    const after = wholeNumber(values.after, '--after') ?? 0;
    const count = wholeNumber(values.count, '--count');
    if (count !== undefined && !values.follow) throw usageError('events: --count goes with --follow');
    if (count === 0) throw usageError('events: --count must be at least 1');
    const target = await ctx.target();
    if (!values.follow) {
      const page = await listEvents(target, after);
      ctx.print(page, () => (page.events.length ? page.events.map(eventLine) : ['no events yet']));
      return;
    }
    let seen = 0;
    for await (const { event } of followEvents(target, { after })) {
      ctx.io.out(ctx.json ? JSON.stringify(event) : eventLine(event));
      seen += 1;
      if (count !== undefined && seen >= count) return;
    }
    if (count !== undefined) throw new CliError(`the sandbox stopped after ${seen} of ${count} event(s)`, EXIT.remote);
  },
};

function wholeNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw usageError(`events: ${name} must be a whole number`);
  return Number(value);
}

/** One line per event: time, detail-type, then what it says. Numbers in full (your own conversation). */
export function eventLine(event: EventEnvelope): string {
  // biome-ignore lint/suspicious/noExplicitAny: each detail-type has its own shape (docs/events.md); the cases read their fields
  const d = event.detail as Record<string, any>;
  const what = (() => {
    switch (event['detail-type']) {
      case 'Group Message Received':
        return `${d.group_id}  ← ${d.from_number ?? '?'}  ${[d.content, d.media_url ? '[media]' : ''].filter(Boolean).join(' ')}`;
      case 'Message Status Changed':
        return `${d.group_id ?? '-'}  message ${d.message_handle}  ${statusMark(String(d.status))}${d.error_message ? `: ${d.error_message}` : ''}`;
      case 'Command Settled':
        return `${d.group_id ?? '-'}  command ${d.command_id} ${d.state}${d.error ? `: ${d.error}` : ''}`;
      case 'Group Changed':
        return `${d.group_id}  ${groupChangeText(d)}`;
      default:
        return JSON.stringify(d);
    }
  })();
  return `${shortTime(event.time)}  ${event['detail-type'].padEnd(22)}  ${what}`;
}

/**
 * What a `Group Changed` event says, numbers as they are (E.164 already starts with its `+`):
 * `added +15551230003; removed +15551230001`, `name "Weekend plans"`; the first time a group's
 * members are known, `members +15550000000, +15551230001 (first known)`.
 */
export function groupChangeText(d: {
  members?: string[];
  previous_members?: string[];
  added_members?: string[];
  removed_members?: string[];
  name?: string | null;
  previous_name?: string | null;
}): string {
  const list = (numbers: string[]) => numbers.join(', ');
  const added = d.added_members ?? [];
  const removed = d.removed_members ?? [];
  const parts: string[] = [];
  if (added.length && !d.previous_members?.length) parts.push(`members ${list(added)} (first known)`);
  else if (added.length) parts.push(`added ${list(added)}`);
  if (removed.length) parts.push(`removed ${list(removed)}`);
  if ((d.name ?? null) !== (d.previous_name ?? null))
    parts.push(d.name === null || d.name === undefined ? 'name removed' : `name "${d.name}"`);
  return parts.join('; ') || 'unchanged';
}
