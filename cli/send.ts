import { createGroupsProducer } from '../client/producer.js';
import { MAX_CONTENT_CHARS, type SendStyle } from '../lambdas/contract/sendblue-rules.js';
import { readContent } from './content.js';
import { CliError, EXIT, helpHint, usageError, type CommandContext } from './context.js';
import { commandLines, type CommandView } from './format.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';
import { notSentError, notSettledMessage, parseTimeout, waitForCommand } from './wait.js';

const listOf = (value: unknown): string[] | undefined =>
  value === undefined
    ? undefined
    : ([] as string[])
        .concat(value as string | string[])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean);

/** What a command prints once it is `sent`, instead of the command's own lines (`cli contacts opt-out`: the contact). */
export type SentReport = (view: CommandView) => Promise<{ json: unknown; lines: string[] }>;

/**
 * Queues a command, prints its id, and with --wait follows it until it settles (sent; failed:
 * exit 2; a tapback unknown for good: exit 2). `reportSent`: what to print once it is sent.
 */
export async function queueAndReport(
  ctx: CommandContext,
  values: Record<string, unknown>,
  /** What the command is, in the user's words: `group message`, `rename group`, `add member`... */
  kind: string,
  queue: (
    p: ReturnType<typeof createGroupsProducer>,
  ) => Promise<{ command_id: string; message_group_id: string; fingerprint: string }>,
  reportSent?: SentReport,
) {
  const timeout = parseTimeout(values.timeout); // a bad --timeout is a usage error before anything is queued
  const target = await ctx.target();
  const producer = createGroupsProducer(target);
  let queued: Awaited<ReturnType<typeof queue>>;
  try {
    queued = await queue(producer);
  } finally {
    producer.close();
  }
  if (!values.wait) {
    return ctx.print({ ...queued, state: 'queued' }, () => [
      `queued command ${queued.command_id} (${kind}) on ${target.label}`,
      `  follow it: ${ctx.hint('status', queued.command_id)}`,
    ]);
  }
  if (ctx.showsProgress)
    ctx.io.out(`queued command ${queued.command_id} (${kind}) on ${target.label}; waiting for it:`);
  const { view, refused } = await waitForCommand(ctx, queued.command_id, timeout, {
    fingerprint: queued.fingerprint,
  });
  if (refused) {
    ctx.print({ ...queued, state: 'refused', error: refused }, () => [
      `command ${queued.command_id}: refused ✗`,
      `  error    ${refused}`,
    ]);
    throw new CliError(refused, EXIT.remote, true);
  }
  if (view?.state === 'sent' && reportSent) {
    const report = await reportSent(view);
    return ctx.print(report.json, () => report.lines);
  }
  ctx.print(view ?? { ...queued, state: 'queued' }, () =>
    view
      ? commandLines(view, ctx.hint, kind)
      : [`command ${queued.command_id} is queued but not settled yet; see: ${ctx.hint('status', queued.command_id)}`],
  );
  // Waited for, and it failed or did not settle in time: the output says so; the exit code says
  // it is not (yet) confirmed, so scripts can tell.
  const notSent = view && notSentError(view);
  if (notSent) throw notSent;
  if (view?.state !== 'sent')
    throw new CliError(notSettledMessage(ctx, queued.command_id, timeout, view), EXIT.remote, true);
}

export const sendCommand: CliCommand = {
  name: 'send',
  summary: 'send a message to a group (new: --to numbers; existing: --group id)',
  options: {
    to: { type: 'string', multiple: true },
    group: { type: 'string' },
    'content-file': { type: 'string' },
    media: { type: 'string' },
    style: { type: 'string' },
    from: { type: 'string' },
    callback: { type: 'string' },
    id: { type: 'string' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  help: `Usage: cli send (--to +1555...,+1555... | --group GROUP_ID) [options] [CONTENT... | -]

Queues a send_group_message command (validated first with the sender's own rules) and prints its
command_id. MessageGroupId is the group_id (a new group: its sorted numbers).
The text is the words after the options, or read from a file or standard input (for texts longer
than a shell takes as arguments): --content-file PATH, --content-file - or the text - alone. It is
sent as it is, UTF-8 (a final line end is dropped), and must be under ${MAX_CONTENT_CHARS} characters
(Sendblue's limit; a longer one is refused with exit 1 and nothing is queued).

Options:
  --to NUMBERS      members of a new group, E.164, comma-separated (repeatable)
  --group ID        an existing group_id (not with --to)
  --content-file P  the text from file P, or from standard input with - (not with CONTENT)
  --media URL       https URL of an image/file
  --style STYLE     send_style (confetti, slam, ...)
  --from NUMBER     your Sendblue line (default: the stack's)
  --callback URL    your own status_callback
  --id ID           command_id (default: a new UUID); repeating an id never sends twice
  --wait            wait until the command is sent or failed, and show the group_id (on a
                    terminal: each change as it happens)
  --timeout SECONDS with --wait (default 30); then exit 2 with the state and how to follow it

${GLOBAL_HELP}

Examples:
  npm run cli -- send --to +15551230001,+15551230002 "Hello group" --wait
  npm run cli -- send --group GROUP_ID --content-file notes.txt
  cat long-message.txt | npm run -s cli -- send --group GROUP_ID -`,
  async run(ctx, values, positionals) {
    if (!values.to && !values.group)
      throw usageError(`send: give --to NUMBERS (a new group) or --group GROUP_ID (see: ${helpHint('send')})`);
    if (values.to && values.group)
      throw usageError(
        `send: --to starts a new group and --group sends to an existing one: give one of them, not both (see: ${helpHint('send')})`,
      );
    const file = values['content-file'] as string | undefined;
    if (file !== undefined && positionals.length)
      throw usageError(
        `send: the text comes from --content-file or from the words after the options, not both (see: ${helpHint('send')})`,
      );
    // `-` alone is standard input; among other words it is just a dash.
    const source = file ?? (positionals.length === 1 && positionals[0] === '-' ? '-' : undefined);
    const content =
      (source === undefined ? positionals.join(' ') : await readContent(source, ctx.io, 'send')) || undefined;
    if (!content && !values.media)
      throw usageError(
        source === undefined
          ? `send: give the message text or --media URL (see: ${helpHint('send')})`
          : `send: ${source === '-' ? 'standard input' : source} holds no text: give one, or --media URL (see: ${helpHint('send')})`,
      );
    await queueAndReport(ctx, values, 'group message', (producer) =>
      producer.sendGroupMessage({
        command_id: values.id as string | undefined,
        group_id: values.group as string | undefined,
        numbers: listOf(values.to),
        content,
        media_url: values.media as string | undefined,
        send_style: values.style as SendStyle | undefined,
        from_number: values.from as string | undefined,
        status_callback: values.callback as string | undefined,
      }),
    );
  },
};
