import { countDeadLetters, listDeadLetters, redriveDeadLetters } from '../client/dead-letters.js';
import { sqsClientFor } from '../client/producer.js';
import { RemoteError } from '../client/reader.js';
import { CliError, EXIT } from './context.js';
import { shortTime } from './format.js';
import { parseTimeout, waitForCommand } from './wait.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

export const dlqCommand: CliCommand = {
  name: 'dlq',
  summary: 'list failed commands on the DLQ with their reasons; --redrive moves them back',
  options: { redrive: { type: 'boolean' }, wait: { type: 'boolean' }, timeout: { type: 'string' } },
  help: `Usage: cli dlq [--redrive [--wait [--timeout SECONDS]]]

Lists the dead-letter queue: command_id, reason, when it failed. Nothing is removed. (SQS FIFO
shows the oldest message of each message group; later ones of a group show up after a redrive.)
  --redrive   move every message back to the command queue (keeping its group and failure_reason,
              so the sender tries it again), then follow them with: cli status COMMAND_ID
  --wait      with --redrive: wait until each moved command is sent (exit 2 if one is not; on a
              terminal: each change as it happens)
  --timeout   seconds to wait (default 30)

${GLOBAL_HELP}`,
  async run(ctx, values) {
    const target = await ctx.target();
    const sqs = sqsClientFor(target);
    try {
      if (values.redrive) {
        const timeout = parseTimeout(values.timeout); // checked before anything moves
        const moved = await redriveDeadLetters(sqs, target);
        // A redriven command stays `failed` in the ledger until the sender picks it up again, so
        // waiting means waiting for `sent`.
        // On a terminal, each command's changes as they happen (more than one: labelled by id).
        const label = (commandId: string) => (moved.length > 1 ? `${commandId}: ` : '');
        if (values.wait && ctx.showsProgress && moved.length)
          ctx.io.out(`moved ${moved.length} command(s) back to the command queue; waiting for them:`);
        const after = values.wait
          ? await Promise.all(
              moved.map(async (m) =>
                m.command_id
                  ? (
                      await waitForCommand(ctx, m.command_id, timeout, {
                        states: ['sent'],
                        label: label(m.command_id),
                        notPickedUpWhile: ['failed'],
                      })
                    ).view
                  : undefined,
              ),
            )
          : [];
        ctx.print({ redriven: moved, ...(values.wait ? { commands: after } : {}) }, () =>
          moved.length
            ? [
                `moved ${moved.length} command(s) back to the command queue:`,
                ...moved.map(
                  (m, i) =>
                    `  ${m.command_id ?? m.message_id}  (was: ${m.reason ?? '?'})${after[i] ? `  now: ${after[i]!.state}${after[i]!.state === 'sent' ? ' ✓' : ''}` : ''}`,
                ),
              ]
            : ['the DLQ is empty: nothing to redrive'],
        );
        const notSent = values.wait ? moved.filter((_, i) => after[i]?.state !== 'sent') : [];
        if (notSent.length)
          throw new CliError(
            `not every redriven command was sent within ${timeout} s: ${notSent
              .map((m) =>
                m.command_id
                  ? `${m.command_id} (state: ${after[moved.indexOf(m)]?.state ?? 'not picked up yet'}; follow it: ${ctx.hint('status', m.command_id, '--wait')})`
                  : `DLQ message ${m.message_id} (no command_id)`,
              )
              .join(', ')}`,
            EXIT.remote,
            true,
          );
        return;
      }
      const [letters, total] = await Promise.all([listDeadLetters(sqs, target), countDeadLetters(sqs, target)]);
      ctx.print({ count: Math.max(total, letters.length), messages: letters }, () =>
        letters.length
          ? [
              `${Math.max(total, letters.length)} message(s) on the DLQ${total > letters.length ? ` (showing ${letters.length})` : ''}:`,
              ...letters.flatMap((m) => [
                `✗ ${m.command_id ?? '(no command_id)'}  failed ${shortTime(m.failed_at)} after ${m.receive_count ?? '?'} receive(s)`,
                `    reason: ${m.reason ?? '(none recorded)'}`,
              ]),
              `try them again: ${ctx.hint('dlq', '--redrive')}`,
            ]
          : ['the DLQ is empty'],
      );
    } catch (error) {
      if (error instanceof RemoteError || error instanceof CliError) throw error;
      throw new RemoteError(
        `could not read the DLQ of ${target.label}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      sqs.destroy();
    }
  },
};
