/**
 * `cli setup`: stores the Sendblue API credentials in the stack's secret and registers the
 * stack's webhooks with Sendblue (docs/deploy.md "Configure Sendblue"). Prints what is registered;
 * never prints a credential or a secret.
 */
import { helpHint, selectsDeployedStack, usageError } from '../context.js';
import { GLOBAL_HELP, type CliCommand } from '../types.js';
import { loadSetup } from './load.js';
import type { SetupReport } from './run.js';

export const setupCommand: CliCommand = {
  name: 'setup',
  summary: 'store the Sendblue API keys and register the webhooks with Sendblue (--show, --remove)',
  options: { show: { type: 'boolean' }, remove: { type: 'boolean' }, 'keep-credentials': { type: 'boolean' } },
  help: `Usage: cli setup [--aws | --stack NAME] [--keep-credentials | --show | --remove]

For a deployed stack (--aws, --stack NAME):
  1. stores your Sendblue API keys in the stack's secret (output ApiCredentialsSecretArn), from
     SENDBLUE_API_KEY_ID and SENDBLUE_API_SECRET_KEY, else asked for (typing is not shown;
     piped stdin: one line each). They are checked with Sendblue before they are stored.
  2. registers with Sendblue, with the stack's webhook secret (output WebhookSecretArn):
     ReceiveWebhookUrl as a "receive" webhook and StatusWebhookUrl as an "outbound" webhook,
     by adding them (POST) unless they are already there: running it again changes nothing.
  3. prints every webhook on the Sendblue account: ours in full, others by type and host only.
In the sandbox (no --aws) it registers the sandbox's URLs with its simulator, using the sandbox's
own credentials (there is no secret store).

  --keep-credentials  keep the API keys already in the stack's secret (asked for only if it is empty)
  --show              only list the account's webhooks
  --remove            delete our two webhooks (by exact URL) and nothing else; run it before
                      \`npx cdk destroy\`

Never replaces the account's webhooks (Sendblue's PUT): webhooks of other apps stay as they are.

${GLOBAL_HELP}`,
  async run(ctx, values, positionals) {
    if (positionals.length)
      throw usageError(`setup takes no arguments (got "${positionals[0]}"; see: ${helpHint('setup')})`);
    const modes = (['show', 'remove', 'keep-credentials'] as const).filter((name) => values[name]);
    if (modes.length > 1)
      throw usageError(`--${modes[0]} and --${modes[1]} cannot be combined (see: ${helpHint('setup')})`);
    const { io } = ctx;
    const { awsSetupTarget, sandboxSetupTarget, registerWebhooks, removeWebhooks, showWebhooks } = await loadSetup();
    const target = selectsDeployedStack(values, io.env)
      ? await awsSetupTarget({
          stackName: values.stack as string | undefined,
          region: values.region as string | undefined,
          env: io.env,
        })
      : sandboxSetupTarget(io.env);
    try {
      const result = values.show
        ? await showWebhooks(target, io)
        : values.remove
          ? await removeWebhooks(target, io)
          : await registerWebhooks(target, io, values['keep-credentials'] === true);
      ctx.print(result, () => reportLines(result, ctx.hint('setup', '--remove')));
    } finally {
      target.close();
    }
  },
};

const CHANGE_TEXT = {
  added: 'added',
  unchanged: 'already registered: nothing changed',
  replaced: 're-registered',
  deleted: 'deleted',
} as const;
const SECRET_TEXT = {
  ours: 'with our webhook secret',
  other: 'with ANOTHER secret: run setup to fix',
  none: 'WITHOUT a secret: run setup to fix',
} as const;

/** `removeHint`: the command that removes our webhooks, against the same target (ctx.hint). */
export function reportLines(report: SetupReport, removeHint: string): string[] {
  const lines: string[] = [];
  const { credentials } = report;
  if (credentials?.action === 'stored') {
    lines.push(
      `Sendblue API keys (${credentials.source === 'environment' ? 'from the environment' : 'as typed'}) stored in ${credentials.secret_arn}`,
    );
  } else if (credentials?.action === 'kept') {
    lines.push(`Sendblue API keys: kept the ones already in ${credentials.secret_arn}`);
  } else if (credentials?.action === 'sandbox') {
    lines.push(
      'Sendblue API keys: the sandbox has no secret store; it uses its own (SENDBLUE_API_KEY_ID, SENDBLUE_API_SECRET_KEY)',
    );
  }
  for (const change of report.changes) {
    lines.push(
      `${change.type.padEnd(8)} ${change.url}  ${CHANGE_TEXT[change.action]}${change.reason ? ` (it was ${change.reason})` : ''}`,
    );
  }
  if (!report.changes.length && !credentials && report.webhooks.every((w) => !w.ours))
    lines.push('none of our webhooks is registered');
  lines.push(
    `Webhooks on the Sendblue account (${report.sendblue}): ${report.webhooks.length ? '' : 'none'}`.trimEnd(),
  );
  const width = Math.max(8, ...report.webhooks.map((w) => w.type.length));
  for (const webhook of report.webhooks) {
    lines.push(
      webhook.ours
        ? `  ✓ ${webhook.type.padEnd(width)}  ${webhook.url}  ours${webhook.secret ? `, ${SECRET_TEXT[webhook.secret]}` : ''}`
        : `    ${webhook.type.padEnd(width)}  ${webhook.host}  not ours: left as it is`,
    );
  }
  if (report.webhooks.some((w) => w.ours)) lines.push(`to remove ours: ${removeHint}`);
  return lines;
}
