/**
 * `npm start`: runs the sandbox until Ctrl-C/SIGTERM (exit 0) or a crash (exit 1).
 * Child processes are killed in every case (see sandbox/processes.ts for the last-resort hooks).
 */
import { relative } from 'node:path';
import { SIGNING_HEADER } from '../lambdas/webhooks/webhook-auth.js';
import {
  DEFAULT_SANDBOX_CONFIG,
  loadSandboxConfig,
  SANDBOX_DLQ_NAME,
  SANDBOX_QUEUE_NAME,
  SANDBOX_REGION,
  SandboxConfigError,
  type SandboxConfig,
} from '../sandbox/config.js';
import { sandboxCliPrefix } from '../sandbox/cli-prefix.js';
import { readableLoggerFor } from '../sandbox/event-log.js';
import { killTrackedChildren } from '../sandbox/processes.js';
import { startSandbox, type RunningSandbox } from '../sandbox/start.js';
import { quietNodeSupportWarning } from '../sandbox/node-support.js';

quietNodeSupportWarning();

const STOP_TIMEOUT_MS = 10_000;

let config: SandboxConfig;
try {
  config = loadSandboxConfig();
} catch (error) {
  console.error(error instanceof SandboxConfigError ? error.message : error);
  process.exit(1);
}

let sandbox: RunningSandbox | undefined;
let exiting = false;

/** Stops what runs, then exits. A second signal, or a stop that hangs, exits at once (children killed). */
async function shutdown(code: number, reason: string): Promise<void> {
  if (exiting) {
    killTrackedChildren();
    process.exit(code || 1);
  }
  exiting = true;
  (code === 0 ? console.log : console.error)(`\n${reason}: stopping the sandbox...`);
  setTimeout(() => {
    console.error(`The sandbox did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing its child processes.`);
    killTrackedChildren();
    process.exit(1);
  }, STOP_TIMEOUT_MS).unref();
  try {
    await sandbox?.stop();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    code = code || 1;
  }
  if (code === 0) console.log('Sandbox stopped.');
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0, `Received ${signal}`));
}
// `npm start` runs us under `sh -c`: npm passes SIGTERM to the shell, which dies without passing it
// on. We then become an orphan (our parent changes), which is our cue to stop as if signalled.
const launchedBy = process.ppid;
setInterval(() => {
  if (process.ppid !== launchedBy) void shutdown(0, 'The launching process exited');
}, 500).unref();
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    console.error(`The sandbox crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void shutdown(1, 'Crash');
  });
}

try {
  // One readable line per event (numbers masked); SANDBOX_LOG=json for the Lambdas' JSON lines.
  const loggerFor =
    process.env.SANDBOX_LOG === 'json' ? undefined : (component: string) => readableLoggerFor(component);
  sandbox = await startSandbox(config, {
    onProgress: (line) => console.log(line),
    loggerFor,
    // e.g. "DynamoDB Local stopped unexpectedly (exit code 137): stopping the sandbox..." and exit 1:
    // restarting it would silently start over with an empty in-memory database.
    onFatal: (message) => void shutdown(1, message),
    // SANDBOX_CODE=bundles: another cloud assembly than ./cdk.out (npm run verify:deploy -- --cdk-out DIR).
    cdkOut: process.env.SANDBOX_CDK_OUT?.trim() || undefined,
  });
} catch (error) {
  // startSandbox has already stopped whatever it had started.
  console.error(`The sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
// (A signal during startup exits at once; the process registry's exit hook kills Java then.)
console.log(banner(sandbox, config));

function banner(
  { urls, tableName, simulator, dynamoDbExposure, streams, bundles }: RunningSandbox,
  { webhookSecret, fromNumber }: SandboxConfig,
): string {
  // A secret the user chose is not echoed to the terminal; the default one is public anyway.
  const secretShown =
    webhookSecret === DEFAULT_SANDBOX_CONFIG.webhookSecret ? webhookSecret : '$SENDBLUE_WEBHOOK_SECRET';
  const groupId = 'sandbox-group-1';
  const now = new Date().toISOString();
  // The fields of Sendblue's receive webhook for a group message (docs/sendblue-api.md).
  const payload = JSON.stringify({
    message_handle: 'sandbox-msg-1',
    group_id: groupId,
    message_type: 'group',
    content: 'Hello from the sandbox',
    media_url: '',
    is_outbound: false,
    status: 'RECEIVED',
    from_number: '+15551230001',
    number: '+15551230001',
    to_number: fromNumber,
    sendblue_number: fromNumber,
    participants: ['+15551230001', '+15551230002', fromNumber],
    group_display_name: 'Sandbox group',
    service: 'iMessage',
    date_sent: now,
    date_updated: now,
  });
  const cli = sandboxCliPrefix(config);
  const sendblue = simulator ? `${urls.sendblue}  (built-in simulator)` : `${urls.sendblue}  (SENDBLUE_BASE_URL)`;
  const events = streams.feed ? `${urls.api}/__sandbox/events  (${cli} events --follow)` : 'off (SANDBOX_EVENTS=off)';
  const media = streams.mediaBucket
    ? `bucket ${streams.mediaBucket} on the S3 stand-in ${urls.sqs}  (links in GET /messages/{handle})`
    : 'off (SANDBOX_MEDIA=off)';
  const code = bundles
    ? `the bundles in ${relative(process.cwd(), bundles.stack.dir) || '.'} (template ${relative(process.cwd(), bundles.stack.templateFile)}), as deployed`
    : 'source (TypeScript through tsx; SANDBOX_CODE=bundles runs the bundles in cdk.out)';
  return `
Sendblue groups sandbox is ready.
  Lambda code       ${code}
  Web page          ${urls.page}  (groups and conversations, live)
  API               ${urls.api}
  Health            ${urls.health}
  Receive webhook   ${urls.receiveWebhook}
  Status webhook    ${urls.statusWebhook}
  DynamoDB Local    ${urls.dynamoDb}  (table ${tableName}, region ${SANDBOX_REGION}, any credentials; ${dynamoDbExposure ? `WARNING: ${dynamoDbExposure}` : '127.0.0.1 only'})
  SQS endpoint      ${urls.sqs}  (region ${SANDBOX_REGION}, any credentials)
  Command queue     ${SANDBOX_QUEUE_NAME}  ${urls.commandQueue}
  Dead-letter queue ${SANDBOX_DLQ_NAME}  ${urls.deadLetterQueue}
  Sendblue API      ${sendblue}
  Events            ${events}
  Media copies      ${media}
  Webhook secret    header ${SIGNING_HEADER}: ${secretShown}

Try it: send a group message with the CLI (in another terminal), then watch it on the page
  ${cli} send --to +15551230001,+15551230002 "Hello group" --wait
  ${cli} history <group_id from the line above>
  ${cli} events --follow   (what your app would get from the EventBridge bus)
  ${cli} --help        (add, remove, rename, status, group, dlq, events, backfill, setup)
Or read it over HTTP: curl -s ${urls.api}/groups/<group_id>/messages

Or post a webhook as Sendblue would:
  curl -s -X POST ${urls.receiveWebhook} \\
    -H 'content-type: application/json' -H "${SIGNING_HEADER}: ${secretShown}" \\
    -d '${payload}'
  curl -s ${urls.api}/groups/${groupId}/messages

Press Ctrl-C to stop.`;
}
