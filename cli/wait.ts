import { ownOutcome } from '../client/commands';
import { createReader, RemoteError } from '../client/reader';
import { usageError, type CommandContext } from './context';
import type { CommandView } from './format';
import { sleep } from './context';

const SETTLED = ['sent', 'failed'];

/** What waiting ended with: the last view, and `refused` when the id turned out to be another command's. */
export interface WaitResult {
  view?: CommandView;
  refused?: string;
}

/**
 * Polls GET /commands/{id} until the command is in one of `states` (default: sent or failed), or
 * the time is up (then the last state seen, if any). With `fingerprint` (the command we queued),
 * a state that belongs to a different command using the same id is not taken for ours.
 */
export async function waitForCommand(
  ctx: CommandContext,
  commandId: string,
  timeoutSeconds: number,
  states = SETTLED,
  fingerprint?: string,
): Promise<WaitResult> {
  const reader = createReader(await ctx.target());
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last: CommandView | undefined;
  for (;;) {
    try {
      last = await reader.get<CommandView>(`/commands/${encodeURIComponent(commandId)}`);
      const outcome = fingerprint ? ownOutcome(last, fingerprint) : { kind: 'own' as const, state: last.state };
      if (outcome.kind === 'refused') return { view: last, refused: outcome.reason };
      if (outcome.kind === 'own' && states.includes(outcome.state)) return { view: last };
    } catch (error) {
      // Not in the ledger yet: the sender has not picked it up.
      if (!(error instanceof RemoteError && error.status === 404)) throw error;
    }
    if (Date.now() > deadline) return { view: last };
    await sleep(250);
  }
}

export const parseTimeout = (value: unknown, fallback = 30): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw usageError(`--timeout must be a number of seconds above 0 (got "${String(value)}")`);
  return n;
};
