import { ownOutcome } from '../client/commands.js';
import { isCommandSettled } from '../lambdas/contract/views.js';
import { createReader, RemoteError } from '../client/reader.js';
import { CliError, EXIT, usageError, type CommandContext } from './context.js';
import type { CommandView } from './format.js';
import { sleep } from './context.js';
import { describeProgress, progressTracker } from './progress.js';

/** What waiting ended with: the last view, and `refused` when the id turned out to be another command's. */
export interface WaitResult {
  view?: CommandView;
  refused?: string;
}

export interface WaitOptions {
  /**
   * The states that end the wait. Default: settled (isCommandSettled: sent, failed, or unknown
   * with no attempt due: a tapback that may have been sent, never repeated).
   */
  states?: string[];
  /** The command we queued: a state that belongs to a different command using the same id is not taken for ours. */
  fingerprint?: string;
  /** Progress lines start with this (several commands waited for at once: their ids). */
  label?: string;
  /**
   * States that still mean "not picked up yet" for this wait: a redriven command stays `failed`
   * in the ledger until the sender takes it again.
   */
  notPickedUpWhile?: string[];
}

/**
 * Polls GET /commands/{id} until the command is in one of `states`, or the time is up (then the
 * last state seen, if any). On a terminal (ctx.showsProgress) it prints each change as it happens.
 */
export async function waitForCommand(
  ctx: CommandContext,
  commandId: string,
  timeoutSeconds: number,
  { states, fingerprint, label = '', notPickedUpWhile = [] }: WaitOptions = {},
): Promise<WaitResult> {
  const reader = createReader(await ctx.target());
  const deadline = Date.now() + timeoutSeconds * 1000;
  const progress = ctx.showsProgress ? progressTracker() : undefined;
  let last: CommandView | undefined;
  for (;;) {
    // Ours as far as we can tell: undefined while the id is unknown or another command's is pending.
    let own: CommandView | undefined;
    try {
      last = await reader.get<CommandView>(`/commands/${encodeURIComponent(commandId)}`);
      const outcome = fingerprint ? ownOutcome(last, fingerprint) : { kind: 'own' as const, state: last.state };
      if (outcome.kind === 'refused') return { view: last, refused: outcome.reason };
      if (outcome.kind === 'own') own = last;
    } catch (error) {
      // Not in the ledger yet: the sender has not picked it up.
      if (!(error instanceof RemoteError && error.status === 404)) throw error;
    }
    const line = progress?.(own && notPickedUpWhile.includes(own.state) ? undefined : own, Date.now());
    if (line) ctx.io.out(`  ${label}${line}`);
    if (own && (states ? states.includes(own.state) : isCommandSettled(own))) return { view: own };
    if (Date.now() > deadline) return { view: last };
    await sleep(250);
  }
}

/**
 * What a wait that ran out of time says on stderr: how long, where the command is, and the
 * command to go on following it.
 */
export function notSettledMessage(
  ctx: CommandContext,
  commandId: string,
  timeoutSeconds: number,
  view: CommandView | undefined,
): string {
  return `command ${commandId} did not settle within ${timeoutSeconds} s (state: ${describeProgress(view, Date.now())}); follow it: ${ctx.hint('status', commandId, '--wait')}`;
}

/**
 * A command that settled without being sent, as the error that makes the CLI exit 2 (its view is
 * printed already, so with --json nothing more is): `failed` (it is on the DLQ), or a tapback
 * `unknown` for good (it may have been sent; never repeated). Undefined for anything else: sent, or
 * still on its way.
 */
export function notSentError(view: CommandView): CliError | undefined {
  if (view.state === 'failed')
    return new CliError(`command ${view.command_id} failed (it is on the DLQ)`, EXIT.remote, true);
  if (view.state === 'unknown' && isCommandSettled(view))
    return new CliError(
      `command ${view.command_id} may have been sent; it is not repeated (Sendblue cannot be asked whether it took a reaction)`,
      EXIT.remote,
      true,
    );
  return undefined;
}

export const parseTimeout = (value: unknown, fallback = 30): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw usageError(`--timeout must be a number of seconds above 0 (got "${String(value)}")`);
  return n;
};
