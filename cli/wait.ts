import { createReader, RemoteError } from '../client/reader';
import { usageError, type CommandContext } from './context';
import type { CommandView } from './format';
import { sleep } from './context';

const SETTLED = ['sent', 'failed'];

/**
 * Polls GET /commands/{id} until the command is in one of `states` (default: sent or failed), or
 * the time is up (then the last state seen, if any).
 */
export async function waitForCommand(ctx: CommandContext, commandId: string, timeoutSeconds: number, states = SETTLED): Promise<CommandView | undefined> {
  const reader = createReader(await ctx.target());
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last: CommandView | undefined;
  for (;;) {
    try {
      last = await reader.get<CommandView>(`/commands/${encodeURIComponent(commandId)}`);
      if (states.includes(last.state)) return last;
    } catch (error) {
      // Not in the ledger yet: the sender has not picked it up.
      if (!(error instanceof RemoteError && error.status === 404)) throw error;
    }
    if (Date.now() > deadline) return last;
    await sleep(250);
  }
}

export const parseTimeout = (value: unknown, fallback = 30): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usageError(`--timeout must be a number of seconds above 0 (got "${String(value)}")`);
  return n;
};
