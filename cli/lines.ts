import { credentialsInEnv } from './setup/credentials.js';
import type { LineStateReport, LineUsageReport } from '../lambdas/sending/ports.js';
import { CliError, EXIT, helpHint, selectsDeployedStack, usageError } from './context.js';
import { loadSetup } from './setup/load.js';
import { GLOBAL_HELP, type CliCommand } from './types.js';

/** One line as `cli lines` shows it: Sendblue's state and usage, and our breaker when it is known. */
export interface LineRow {
  line: string;
  status: string | null;
  usage: LineUsageReport | null;
  /** Sandbox only (its page route): the line paused by the sender's breaker, with why. */
  paused: { since: string; reason: string | null } | null | 'unknown';
}

const CALL_TIMEOUT_MS = 10_000;

export const linesCommand: CliCommand = {
  name: 'lines',
  summary: "the account's lines: state (ONLINE/DEGRADED/OFFLINE), new-contact usage, paused or not",
  options: {},
  help: `Usage: cli lines [--aws | --stack NAME]

Reads Sendblue's GET /api/v2/lines/state and GET /api/v2/lines/usage with the stack's API keys
(a deployed stack: SENDBLUE_API_KEY_ID / SENDBLUE_API_SECRET_KEY, else the stack's secret; the
sandbox: its simulator and credentials), and shows each line with its state and its new contacts
this hour and today. In the sandbox it also shows whether the sender has paused the line (an
outage, or Sendblue reporting it OFFLINE); a deployed stack has no read route for that
(see the LinePaused alarm).

${GLOBAL_HELP}`,
  async run(ctx, values, positionals) {
    if (positionals.length)
      throw usageError(`lines takes no arguments (got "${positionals[0]}"; see: ${helpHint('lines')})`);
    const { io } = ctx;
    const { awsSetupTarget, sandboxSetupTarget } = await loadSetup();
    const target = selectsDeployedStack(values, io.env)
      ? await awsSetupTarget({
          stackName: values.stack as string | undefined,
          region: values.region as string | undefined,
          env: io.env,
        })
      : sandboxSetupTarget(io.env);
    try {
      const where = target.credentials;
      const credentials =
        where.kind === 'sandbox' ? where.credentials : (credentialsInEnv(io.env) ?? (await where.read()));
      if (!credentials)
        throw new CliError(
          `no Sendblue API keys: set SENDBLUE_API_KEY_ID and SENDBLUE_API_SECRET_KEY, or store them with ${ctx.hint('setup')}`,
          EXIT.usage,
        );
      // The SDK is a peer dependency installed for setup: loaded only here, as setup loads it.
      const { createSendblueClient } = await import('../lambdas/adapters/sendblue-client.js');
      const client = createSendblueClient({
        credentials: async () => credentials,
        baseUrl: target.sendblueBaseUrl,
        timeoutMs: CALL_TIMEOUT_MS,
      });
      const [states, usage] = await Promise.all([client.getLineStates(), client.getLineUsage()]).catch(
        (error: unknown) => {
          throw new CliError(
            `could not read the lines from Sendblue (${target.label}): ${error instanceof Error ? error.message : error}`,
            EXIT.remote,
          );
        },
      );
      const paused = target.kind === 'sandbox' ? await sandboxPauses(target.urls.receive) : undefined;
      const rows = linesOf(states, usage, paused);
      ctx.print({ target: target.label, lines: rows }, () => lineLines(rows));
    } finally {
      target.close();
    }
  },
};

/** Sendblue's two answers and our pauses, one row per line (in Sendblue's order). */
export function linesOf(
  states: LineStateReport[],
  usage: LineUsageReport[],
  paused: Map<string, { since: string; reason: string | null }> | undefined,
): LineRow[] {
  const lines = [...new Set([...states.map((state) => state.line), ...usage.map((entry) => entry.line)])];
  return lines.map((line) => ({
    line,
    status: states.find((state) => state.line === line)?.status ?? null,
    usage: usage.find((entry) => entry.line === line) ?? null,
    paused: paused === undefined ? 'unknown' : (paused.get(line) ?? null),
  }));
}

export function lineLines(rows: LineRow[]): string[] {
  if (!rows.length) return ['no lines on this Sendblue account'];
  return rows.flatMap((row) => {
    const hourly = row.usage?.hourly;
    const daily = row.usage?.daily;
    const window = (name: string, w: typeof hourly) =>
      w
        ? `${w.used ?? '?'}/${w.limit ?? '?'} ${name}${w.nextSlotAt ? ` (next slot ${w.nextSlotAt})` : ''}`
        : `? ${name}`;
    const quota =
      row.usage?.enabled === false
        ? ' (quota not enforced by Sendblue)'
        : row.usage?.availableAt
          ? `, full until ${row.usage.availableAt}`
          : '';
    const pause =
      row.paused === 'unknown'
        ? 'not known here (see the LinePaused alarm)'
        : row.paused
          ? `paused since ${row.paused.since}${row.paused.reason ? `: ${row.paused.reason}` : ''}`
          : 'not paused';
    return [
      `${row.line}  ${row.status ?? 'state unknown'}`,
      `  new contacts  ${window('this hour', hourly)}, ${window('today', daily)}${quota}`,
      `  sender        ${pause}`,
    ];
  });
}

/** The sandbox page's list of paused lines (its API is where the receive webhook is). */
async function sandboxPauses(receiveUrl: string): Promise<Map<string, { since: string; reason: string | null }>> {
  const api = new URL(receiveUrl).origin;
  try {
    const response = await fetch(`${api}/__sandbox/groups`);
    const body = (await response.json()) as {
      paused_lines?: Array<{ line: string; since: string; reason: string | null }>;
    };
    return new Map(
      (body.paused_lines ?? []).map((entry) => [entry.line, { since: entry.since, reason: entry.reason }]),
    );
  } catch {
    return new Map();
  }
}
