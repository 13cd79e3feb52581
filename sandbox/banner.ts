/**
 * What `npm start` prints once the sandbox is ready: its endpoints, the CLI commands to try (with
 * the prefix that reaches this very sandbox, sandboxCliPrefix), the `$API`/`$SIM` the docs'
 * examples use, and a webhook to post as Sendblue would.
 */
import { relative } from 'node:path';
import { SIGNING_HEADER } from '../lambdas/webhooks/webhook-auth.js';
import { hasCredentials, sandboxCliPrefix, sandboxSetupSecrets } from './cli-prefix.js';
import {
  DEFAULT_SANDBOX_CONFIG,
  SANDBOX_DLQ_NAME,
  SANDBOX_QUEUE_NAME,
  SANDBOX_REGION,
  type SandboxConfig,
} from './config.js';
import type { RunningSandbox } from './start.js';

export type BannerSandbox = Pick<
  RunningSandbox,
  'urls' | 'tableName' | 'simulator' | 'dynamoDbExposure' | 'streams' | 'bundles'
>;

export function sandboxBanner(
  { urls, tableName, simulator, dynamoDbExposure, streams, bundles }: BannerSandbox,
  config: SandboxConfig,
): string {
  const { webhookSecret, fromNumber } = config;
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
  const sendblueUrl = hasCredentials(urls.sendblue) ? '(a URL with credentials: not shown)' : urls.sendblue;
  const sendblue = simulator ? `${urls.sendblue}  (built-in simulator)` : `${sendblueUrl}  (SENDBLUE_BASE_URL)`;
  const events = streams.feed ? `${urls.api}/__sandbox/events  (${cli} events --follow)` : 'off (SANDBOX_EVENTS=off)';
  const media = streams.mediaBucket
    ? `bucket ${streams.mediaBucket} on the S3 stand-in ${urls.sqs}  (links in GET /messages/{handle})`
    : 'off (SANDBOX_MEDIA=off)';
  const code = bundles
    ? `the bundles in ${relative(process.cwd(), bundles.stack.dir) || '.'} (template ${relative(process.cwd(), bundles.stack.templateFile)}), as deployed`
    : 'source (TypeScript through tsx; SANDBOX_CODE=bundles runs the bundles in cdk.out)';
  // The docs' examples (README "Ports") use $API and $SIM: these are this sandbox's.
  const shellVars = [`API=${urls.api}`, ...(simulator ? [`SIM=${urls.sendblue}`] : [])].join(' ');
  const secrets = sandboxSetupSecrets(config);
  const setupNote = secrets.length
    ? [`  (setup also needs ${secrets.join(', ')} as this sandbox has them: set them in that terminal too)`]
    : [];
  return [
    '',
    'Sendblue groups sandbox is ready.',
    `  Lambda code       ${code}`,
    `  Web page          ${urls.page}  (groups and conversations, live)`,
    `  API               ${urls.api}`,
    `  Health            ${urls.health}`,
    `  Receive webhook   ${urls.receiveWebhook}`,
    `  Status webhook    ${urls.statusWebhook}`,
    `  DynamoDB Local    ${urls.dynamoDb}  (table ${tableName}, region ${SANDBOX_REGION}, any credentials; ${dynamoDbExposure ? `WARNING: ${dynamoDbExposure}` : '127.0.0.1 only'})`,
    `  SQS endpoint      ${urls.sqs}  (region ${SANDBOX_REGION}, any credentials)`,
    `  Command queue     ${SANDBOX_QUEUE_NAME}  ${urls.commandQueue}`,
    `  Dead-letter queue ${SANDBOX_DLQ_NAME}  ${urls.deadLetterQueue}`,
    `  Sendblue API      ${sendblue}`,
    `  Events            ${events}`,
    `  Media copies      ${media}`,
    `  Webhook secret    header ${SIGNING_HEADER}: ${secretShown}`,
    '',
    'Try it: send a group message with the CLI (in another terminal), then watch it on the page',
    `  ${cli} send --to +15551230001,+15551230002 "Hello group" --wait`,
    `  ${cli} history <group_id from the line above>`,
    `  ${cli} events --follow   (what your app would get from the EventBridge bus)`,
    `  ${cli} --help        (add, remove, rename, status, group, dlq, events, backfill, setup)`,
    ...setupNote,
    `The docs' examples use $API${simulator ? ' and $SIM' : ''}; for this sandbox: ${shellVars}`,
    `Or read it over HTTP: curl -s ${urls.api}/groups/<group_id>/messages`,
    '',
    'Or post a webhook as Sendblue would:',
    `  curl -s -X POST ${urls.receiveWebhook} \\`,
    `    -H 'content-type: application/json' -H "${SIGNING_HEADER}: ${secretShown}" \\`,
    `    -d '${payload}'`,
    `  curl -s ${urls.api}/groups/${groupId}/messages`,
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}
