import {
  countDeadLetters,
  deleteDeadLetters,
  listDeadLetters,
  moveDeadLetters,
  type DeadLetter,
} from '../client/dead-letters.js';
import { sqsClientFor } from '../client/producer.js';
import { RemoteError, unreachableMessage } from '../client/reader.js';
import { classifyDeadLetter } from '../lambdas/contract/dead-letters.js';
import type { CommandView } from '../lambdas/contract/views.js';
import { CliError, EXIT, usageError, type CommandContext } from './context.js';
import { shortTime } from './format.js';
import { bodyFingerprint, followRedriven, readCommand, type Followed, type FollowResult } from './redrive-wait.js';
import { parseTimeout } from './wait.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

export const dlqCommand: CliCommand = {
  name: 'dlq',
  summary: 'list failed commands on the DLQ, whether a redrive can help; --redrive or --delete them',
  options: {
    redrive: { type: 'boolean' },
    delete: { type: 'boolean' },
    id: { type: 'string' },
    all: { type: 'boolean' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  help: `Usage: cli dlq [--id ID]
       cli dlq --redrive [--id ID | --all] [--wait [--timeout SECONDS]]
       cli dlq --delete --id ID

Lists the dead-letter queue, each message once: command_id, reason, when it failed, and whether
a redrive can help. It can when the command failed for a passing cause (out of attempts, the
outage budget spent, proved never sent); it cannot when the command itself is wrong (invalid, refused
by Sendblue, its command_id taken): fix and push a corrected command, then delete the message.
Nothing is removed by listing.
  --id ID     only the message(s) of this command_id (or this DLQ message_id)
  --redrive   move back to the command queue the messages a redrive can help (each keeps its
              group and failure_reason, so the sender tries it again); each message is moved once
  --all       with --redrive: every message, those that will fail again included
  --delete    with --id: delete that message from the DLQ (its command stays failed)
  --wait      with --redrive: wait until every moved command is final (sent or failed), report
              each; exit 2 unless all were sent
  --timeout   seconds to wait (default 30)

${GLOBAL_HELP}`,
  async run(ctx, values) {
    const id = values.id as string | undefined;
    checkOptions(values, id);
    const timeout = parseTimeout(values.timeout); // checked before anything moves
    const target = await ctx.target();
    const sqs = sqsClientFor(target);
    const matches = (letter: DeadLetter) => letter.command_id === id || letter.message_id === id;
    try {
      if (values.delete) {
        const deleted = await deleteDeadLetters(sqs, target, matches);
        if (!deleted.length)
          throw new CliError(`nothing on the DLQ has the command_id (or message_id) ${id}`, EXIT.usage);
        ctx.print({ deleted }, () => [
          `deleted ${deleted.length} message(s) from the DLQ:`,
          ...deleted.map((m) => `  ${m.command_id}  (was: ${m.reason ?? '?'})`),
          `its command stays failed: ${ctx.hint('status', deleted[0]!.command_id ?? id!)}`,
        ]);
        return;
      }
      if (values.redrive) {
        await redrive(ctx, values, id, timeout, sqs, target);
        return;
      }
      const [all, total] = await Promise.all([listDeadLetters(sqs, target), countDeadLetters(sqs, target)]);
      const letters = id ? all.filter(matches) : all;
      const count = id ? letters.length : Math.max(total, letters.length);
      ctx.print({ count, messages: letters }, () => listing(ctx, letters, count, id));
    } catch (error) {
      if (error instanceof RemoteError || error instanceof CliError) throw error;
      // Named by its URL, like every other unreachable address (client/reader.ts).
      throw new RemoteError(unreachableMessage(target, target.deadLetterQueueUrl, error, 'read the DLQ of'));
    } finally {
      sqs.destroy();
    }
  },
};

function checkOptions(values: Record<string, unknown>, id: string | undefined): void {
  if (values.redrive && values.delete) throw usageError('dlq: --redrive and --delete go one at a time');
  if (values.delete && !id) throw usageError('dlq --delete needs --id COMMAND_ID: it deletes one message at a time');
  if (values.all && !values.redrive) throw usageError('dlq: --all goes with --redrive');
  if (values.all && id) throw usageError('dlq --redrive: --id or --all, not both');
  if ((values.wait || values.timeout !== undefined) && !values.redrive)
    throw usageError('dlq: --wait and --timeout go with --redrive');
  if (id !== undefined && !id.trim()) throw usageError('dlq: --id needs a command_id');
}

/** `redrive: may help (out of attempts): …` or `redrive: will not help (…)`, and the command for it. */
function verdictLines(ctx: CommandContext, m: DeadLetter): string[] {
  const id = m.command_id ?? m.message_id;
  const redriveIt = ctx.hint('dlq', '--redrive', '--id', id);
  if (m.redrive_helps) return [`    redrive may help (${labelOf(m)}): ${m.advice}`];
  return [
    `    redrive will not help (${labelOf(m)}): ${m.advice}`,
    m.kind === 'credentials'
      ? `    once they are fixed: ${redriveIt}`
      : `    delete it: ${ctx.hint('dlq', '--delete', '--id', id)}; redrive it anyway: ${redriveIt}`,
  ];
}

const labelOf = (m: DeadLetter) => classifyDeadLetter({ kind: m.kind }).label;

function listing(ctx: CommandContext, letters: DeadLetter[], count: number, id: string | undefined): string[] {
  if (!letters.length) return [id ? `nothing on the DLQ for ${id}` : 'the DLQ is empty'];
  const helping = letters.filter((m) => m.redrive_helps).length;
  return [
    `${count} message(s) on the DLQ${count > letters.length ? ` (showing ${letters.length}: the rest are behind them in their message group)` : ''}:`,
    ...letters.flatMap((m) => [
      `✗ ${m.command_id ?? '(no command_id)'}  failed ${shortTime(m.failed_at)} after ${m.receive_count ?? '?'} receive(s)`,
      `    reason: ${m.reason ?? '(none recorded)'}`,
      ...verdictLines(ctx, m),
    ]),
    ...(helping
      ? [`try them again: ${ctx.hint('dlq', '--redrive', ...(id ? ['--id', id] : []))}`]
      : ['a redrive helps none of them; fix and push corrected commands, then delete these']),
  ];
}

async function redrive(
  ctx: CommandContext,
  values: Record<string, unknown>,
  id: string | undefined,
  timeout: number,
  sqs: ReturnType<typeof sqsClientFor>,
  target: Awaited<ReturnType<CommandContext['target']>>,
): Promise<void> {
  const only = id
    ? (letter: DeadLetter) => letter.command_id === id || letter.message_id === id
    : values.all
      ? () => true
      : (letter: DeadLetter) => letter.redrive_helps;
  // With --wait: each command's ledger entry just before it moves, to tell a new failure from the old.
  const before = new Map<string, CommandView | undefined>();
  const outcome = await moveDeadLetters(sqs, target, {
    only,
    beforeMove: values.wait
      ? async (letters) => {
          for (const letter of letters)
            if (letter.command_id && !before.has(letter.command_id))
              before.set(letter.command_id, await readCommand(ctx, letter.command_id));
        }
      : undefined,
  });
  const { moved, left, notDeleted } = outcome;
  if (id && !moved.length) {
    const refailed = left.some((m) => m.refailed);
    throw new CliError(
      refailed
        ? `${id} failed again while it was being moved; it is on the DLQ again: ${ctx.hint('dlq', '--id', id)}`
        : `nothing on the DLQ has the command_id (or message_id) ${id}`,
      EXIT.usage,
    );
  }
  const label = (commandId: string) => (moved.length > 1 ? `${commandId}: ` : '');
  if (values.wait && ctx.showsProgress && moved.length)
    ctx.io.out(`moved ${moved.length} command(s) back to the command queue; waiting for them:`);
  const followed: Followed[] = moved.map((m) => ({
    commandId: m.command_id ?? m.message_id,
    before: before.get(m.command_id ?? ''),
    fingerprint: bodyFingerprint(m.body),
  }));
  const results: FollowResult[] = values.wait
    ? await followRedriven(ctx, followed, timeout, (r) => {
        if (ctx.showsProgress) ctx.io.out(`  ${label(r.commandId)}${stateText(r)}`);
      })
    : [];
  // Said only when the default selection left them: with --id the others were not asked about.
  const notHelping = id || values.all ? [] : left.filter((m) => !m.refailed && !m.redrive_helps);
  ctx.print(
    {
      redriven: moved,
      left,
      ...(notDeleted.length ? { not_deleted: notDeleted } : {}),
      ...(values.wait
        ? {
            results: results.map((r) => ({
              command_id: r.commandId,
              state: r.state,
              final: r.final,
              reason: r.reason,
            })),
            commands: results.map((r) => r.view),
          }
        : {}),
    },
    () => [
      ...(moved.length
        ? [
            `moved ${moved.length} command(s) back to the command queue:`,
            ...moved.map(
              (m, i) =>
                `  ${m.command_id ?? m.message_id}  (was: ${m.reason ?? '?'})${results[i] ? `  now: ${stateText(results[i]!)}` : ''}`,
            ),
          ]
        : [
            left.length
              ? 'nothing moved: a redrive helps none of the messages on the DLQ'
              : 'the DLQ is empty: nothing to redrive',
          ]),
      ...(notHelping.length
        ? [
            `left on the DLQ: ${notHelping.length} that a redrive will not help; why: ${ctx.hint('dlq')}; move them anyway: ${ctx.hint('dlq', '--redrive', '--all')}`,
          ]
        : []),
      ...notDeleted.map(
        (m) =>
          `  ! ${m.command_id}: moved, but not deleted from the DLQ (${m.error}); delete it: ${ctx.hint('dlq', '--delete', '--id', m.message_id)}`,
      ),
    ],
  );
  const notSent = results.filter((r) => r.state !== 'sent');
  if (notSent.length)
    throw new CliError(
      `not every redriven command was sent: ${notSent
        .map((r) =>
          r.final
            ? `${r.commandId} (${r.state}: ${r.reason ?? 'no reason recorded'})`
            : `${r.commandId} (not final within ${timeout} s, state: ${r.state}; follow it: ${ctx.hint('status', r.commandId, '--wait')})`,
        )
        .join(', ')}`,
      EXIT.remote,
      true,
    );
}

/** `sent ✓`, `failed ✗ (reason)`, `queued (not final yet)`. */
function stateText(r: FollowResult): string {
  if (!r.final) return `${r.state} (not final yet)`;
  if (r.state === 'sent') return `sent ✓${r.reason ? ` (${r.reason})` : ''}`;
  return `${r.state} ✗ (${r.reason ?? 'no reason recorded'})`;
}
