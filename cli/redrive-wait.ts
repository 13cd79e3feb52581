/**
 * `cli dlq --redrive --wait`: when each redriven command is final, from its ledger entry (GET
 * /commands/{id}) against the entry as it was just before the move. A redriven command stays
 * `failed` until the sender picks it up, so `failed` alone says nothing; `failed` with a later
 * `updated_at` than before the move is a new failure (an invalid command fails again within
 * milliseconds, which polling for a state in between would miss).
 */
import { validateCommand, commandFingerprint } from '../lambdas/contract/commands.js';
import { isCommandSettled, type CommandView } from '../lambdas/contract/views.js';
import { createReader, RemoteError } from '../client/reader.js';
import type { CommandContext } from './context.js';
import { sleep } from './context.js';

export type FinalState = 'sent' | 'failed' | 'refused' | 'unknown';

export type RedriveVerdict = { final: false } | { final: true; state: FinalState; reason: string | null };

/** The fingerprint of a letter's body, when it is a valid command (the sender's, commandFingerprint). */
export function bodyFingerprint(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const checked = validateCommand(parsed);
  return checked.ok ? commandFingerprint(checked.command) : undefined;
}

/**
 * Whether a redriven command is final, and how it ended.
 * @param view its ledger entry now (undefined: none yet)
 * @param before its entry just before the move (undefined: there was none)
 * @param fingerprint its body's fingerprint (undefined: not a valid command)
 */
export function redriveVerdict(
  view: CommandView | undefined,
  before: CommandView | undefined,
  fingerprint: string | undefined,
): RedriveVerdict {
  if (!view) return { final: false };
  if (view.fingerprint && view.fingerprint !== fingerprint) {
    // Another command owns the id. It is not ours to follow: an invalid body is refused again
    // (the entry of a valid command is never overwritten), and so is a valid one unless the
    // owner has failed (then ours may take the id over: wait for that).
    if (!fingerprint)
      return {
        final: true,
        state: 'failed',
        reason: 'invalid command (its command_id now belongs to a valid command)',
      };
    if (view.state === 'failed') return { final: false };
    return {
      final: true,
      state: 'refused',
      reason: `its command_id belongs to a different command (${view.state}); this one is refused, not sent (push it under a new command_id)`,
    };
  }
  const changed = !before || view.updated_at !== before.updated_at;
  if (view.state === 'sent')
    return { final: true, state: 'sent', reason: changed ? null : 'already sent before the redrive; not sent again' };
  if (!changed || !isCommandSettled(view)) return { final: false };
  return { final: true, state: view.state === 'failed' ? 'failed' : 'unknown', reason: view.error };
}

export interface Followed {
  commandId: string;
  before: CommandView | undefined;
  fingerprint: string | undefined;
}

export interface FollowResult {
  commandId: string;
  /** The final state, or the state when time ran out (`final` false). */
  state: FinalState | string;
  final: boolean;
  reason: string | null;
  view?: CommandView;
}

/** GET /commands/{id}, or undefined while the ledger has no entry. */
export async function readCommand(ctx: CommandContext, commandId: string): Promise<CommandView | undefined> {
  const reader = createReader(await ctx.target());
  try {
    return await reader.get<CommandView>(`/commands/${encodeURIComponent(commandId)}`);
  } catch (error) {
    if (error instanceof RemoteError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Polls every followed command until each is final or the time is up; ends as soon as all are
 * final. `onFinal` is called once per command as it becomes final (progress on a terminal).
 */
export async function followRedriven(
  ctx: CommandContext,
  followed: Followed[],
  timeoutSeconds: number,
  onFinal?: (result: FollowResult) => void,
): Promise<FollowResult[]> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  // By position: one command_id may be followed twice (a refused reuse redriven beside the original).
  const results = new Map<number, FollowResult>();
  const last = new Map<number, CommandView | undefined>();
  for (;;) {
    const pending = followed.map((f, i) => [f, i] as const).filter(([, i]) => !results.has(i));
    // A few at a time: the read API is not hammered by a large redrive.
    for (let start = 0; start < pending.length; start += 8) {
      await Promise.all(
        pending.slice(start, start + 8).map(async ([f, i]) => {
          const view = await readCommand(ctx, f.commandId);
          last.set(i, view);
          const verdict = redriveVerdict(view, f.before, f.fingerprint);
          if (!verdict.final) return;
          const result = { commandId: f.commandId, state: verdict.state, final: true, reason: verdict.reason, view };
          results.set(i, result);
          onFinal?.(result);
        }),
      );
    }
    if (results.size === followed.length || Date.now() > deadline) break;
    await sleep(300);
  }
  return followed.map(
    (f, i) =>
      results.get(i) ?? {
        commandId: f.commandId,
        state: last.get(i)?.state ?? 'not picked up yet',
        final: false,
        reason: last.get(i)?.error ?? null,
        view: last.get(i),
      },
  );
}
