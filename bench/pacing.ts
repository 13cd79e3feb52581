/**
 * Per-line pacing against Sendblue's limit (the simulator enforces 1 message per second with
 * bursts of 10 and answers 429 beyond): 100 commands in 50 groups pushed at once onto one line,
 * through the whole sandbox command path (SQS emulator, concurrent batches, the sender, the
 * simulator over HTTP). Run twice in the same run: paced (the stack's settings), and unpaced
 * (pacing off: every command calls as soon as it can, a 429 is only waited out) as the baseline.
 */
import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SENDBLUE_LINE_LIMITS } from '../lambdas/sending/line-pacing.js';
import { silentLogger } from '../lambdas/platform/logger.js';
import { DEFAULT_SANDBOX_CONFIG, SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../sandbox/config.js';
import { findFreePort } from '../sandbox/ports.js';
import { startSandbox } from '../sandbox/start.js';

export interface PacingResult {
  paced: boolean;
  commands: number;
  groups: number;
  seconds: number;
  /** The line's physical limit: `commands` at its rate. */
  physicalSeconds: number;
  /** The same, with the first burst free: (commands - burst) / rate. */
  physicalSecondsWithBurst: number;
  ratio: number;
  sent: number;
  failed: number;
  deadLettered: number;
  throttled: number;
  sendblueSendCalls: number;
  /** Groups whose two messages Sendblue accepted out of order. */
  orderViolations: number;
  /** SQS deliveries per command (the ledger's attempts): waits for a slot come back once. */
  deliveriesPerCommand: number;
}

export async function measurePacing(
  dynamoDbEndpoint: string,
  { paced = true, commands = 100, groups = 50, timeoutMs = 400_000 } = {},
): Promise<PacingResult> {
  const { ratePerSecond, burst } = SENDBLUE_LINE_LIMITS;
  const config = {
    ...DEFAULT_SANDBOX_CONFIG,
    port: await findFreePort(),
    sqsPort: await findFreePort(),
    simulatorPort: await findFreePort(),
    lineRatePerSecond: paced ? ratePerSecond : 0,
    lineBurst: burst,
  };
  const sandbox = await startSandbox(config, {
    dynamoDbEndpoint,
    tableName: `bench-pacing-${randomUUID()}`,
    loggerFor: () => silentLogger,
    simulator: {
      replyEvery: 0,
      statusDelaysMs: { sent: 600_000, delivered: 600_000 },
      lineRateLimit: { perSecond: ratePerSecond, burst },
    },
  });
  const sqs = new SQSClient({ endpoint: sandbox.urls.sqs, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  try {
    const sim = sandbox.simulator!;
    const groupIds = Array.from(
      { length: groups },
      (_, i) => sim.createGroup([`+1555700${String(i).padStart(4, '0')}`, '+15557100000']).group_id,
    );
    const ids = Array.from({ length: commands }, (_, i) => `pace-${i}`);
    const started = performance.now();
    for (let i = 0; i < commands; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: sandbox.urls.commandQueue,
          Entries: ids.slice(i, i + 10).map((id, j) => {
            const n = i + j;
            const groupId = groupIds[n % groups]!;
            return {
              Id: String(j),
              MessageGroupId: groupId,
              MessageBody: JSON.stringify({
                type: 'send_group_message',
                command_id: id,
                group_id: groupId,
                content: `#${Math.floor(n / groups)}`,
              }),
            };
          }),
        }),
      );
    }
    const settled = new Map<string, { state: string; attempts?: number }>();
    while (settled.size < commands && performance.now() - started < timeoutMs) {
      for (const id of ids) {
        if (settled.has(id)) continue;
        const item = await sandbox.store.getCommand(id);
        if (item && (item.state === 'sent' || item.state === 'failed')) settled.set(id, item);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: sandbox.urls.deadLetterQueue,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    const accepted = sim.sentMessages();
    const orderViolations = groupIds.filter((groupId) => {
      const contents = accepted
        .filter((m) => m.group_id === groupId)
        .sort((a, b) => a.seq - b.seq)
        .map((m) => m.content);
      return contents.join() !== [...contents].sort().join();
    }).length;
    const sendCalls = sim.requests.filter((r) => r.path === '/api/send-group-message');
    const physicalSeconds = commands / ratePerSecond;
    return {
      paced,
      commands,
      groups,
      seconds,
      physicalSeconds,
      physicalSecondsWithBurst: (commands - burst) / ratePerSecond,
      ratio: seconds / physicalSeconds,
      sent: [...settled.values()].filter((item) => item.state === 'sent').length,
      failed: [...settled.values()].filter((item) => item.state === 'failed').length,
      deadLettered: Messages.length,
      throttled: sendCalls.filter((r) => r.status === 429).length,
      sendblueSendCalls: sendCalls.length,
      orderViolations,
      deliveriesPerCommand:
        [...settled.values()].reduce((sum, item) => sum + (item.attempts ?? 0), 0) / Math.max(1, settled.size),
    };
  } finally {
    sqs.destroy();
    await sandbox.stop();
  }
}
