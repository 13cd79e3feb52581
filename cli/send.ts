import { createGroupsProducer } from '../client/producer.js';
import { isCommandSettled } from '../lambdas/contract/views.js';
import type { SendStyle } from '../lambdas/contract/sendblue-rules.js';
import { CliError, EXIT, helpHint, usageError, type CommandContext } from './context.js';
import { commandLines, type CommandView } from './format.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';
import { notSettledMessage, parseTimeout, waitForCommand } from './wait.js';

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
      `queued command ${queued.command_id} on ${target.label}`,
      `  follow it: ${ctx.hint('status', queued.command_id)}`,
    ]);
  }
  if (ctx.showsProgress) ctx.io.out(`queued command ${queued.command_id} on ${target.label}; waiting for it:`);
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
      ? commandLines(view, ctx.hint)
      : [`command ${queued.command_id} is queued but not settled yet; see: ${ctx.hint('status', queued.command_id)}`],
  );
  // Waited for, and it failed or did not settle in time: the output says so; the exit code says
  // it is not (yet) confirmed, so scripts can tell.
  if (view?.state === 'failed')
    throw new CliError(`command ${queued.command_id} failed (it is on the DLQ)`, EXIT.remote, true);
  if (view && view.state === 'unknown' && isCommandSettled(view))
    throw new CliError(
      `command ${queued.command_id} may have been sent; it is not repeated (Sendblue cannot be asked whether it took a reaction)`,
      EXIT.remote,
      true,
    );
  if (view?.state !== 'sent')
    throw new CliError(notSettledMessage(ctx, queued.command_id, timeout, view), EXIT.remote, true);
}

export const sendCommand: CliCommand = {
  name: 'send',
  summary: 'send a message to a group (new: --to numbers; existing: --group id)',
  options: {
    to: { type: 'string', multiple: true },
    group: { type: 'string' },
    media: { type: 'string' },
    style: { type: 'string' },
    from: { type: 'string' },
    callback: { type: 'string' },
    id: { type: 'string' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  help: `Usage: cli send (--to +1555...,+1555... | --group GROUP_ID) [options] [CONTENT...]

Queues a send_group_message command (validated first with the sender's own rules) and prints its
command_id. MessageGroupId is the group_id (a new group: its sorted numbers).

Options:
  --to NUMBERS      members of a new group, E.164, comma-separated (repeatable)
  --group ID        an existing group_id (not with --to)
  --media URL       https URL of an image/file
  --style STYLE     send_style (confetti, slam, ...)
  --from NUMBER     your Sendblue line (default: the stack's)
  --callback URL    your own status_callback
  --id ID           command_id (default: a new UUID); repeating an id never sends twice
  --wait            wait until the command is sent or failed, and show the group_id (on a
                    terminal: each change as it happens)
  --timeout SECONDS with --wait (default 30); then exit 2 with the state and how to follow it

${GLOBAL_HELP}

Example: npm run cli -- send --to +15551230001,+15551230002 "Hello group" --wait`,
  async run(ctx, values, positionals) {
    const content = positionals.join(' ') || undefined;
    if (!values.to && !values.group)
      throw usageError(`send: give --to NUMBERS (a new group) or --group GROUP_ID (see: ${helpHint('send')})`);
    if (values.to && values.group)
      throw usageError(
        `send: --to starts a new group and --group sends to an existing one: give one of them, not both (see: ${helpHint('send')})`,
      );
    if (!content && !values.media)
      throw usageError(`send: give the message text or --media URL (see: ${helpHint('send')})`);
    await queueAndReport(ctx, values, (producer) =>
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
