/**
 * A Sendblue outage against the whole sandbox command path (issue 16): the simulator refuses
 * connections for 2 minutes while `commands` are pushed onto one line, then comes back. Measured:
 * the calls to Sendblue made during the outage per waiting command (every request the process
 * started towards the simulator, refused ones included, from undici's diagnostics channel), and the
 * time from recovery to the last accepted send against the line's physical limit (`commands` at
 * its rate, which the simulator enforces like Sendblue). Why these numbers: docs/performance.md.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { silentLogger } from '../lambdas/platform/logger.js';
import { DEFAULT_SANDBOX_CONFIG, SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../sandbox/config.js';
import { findFreePort } from '../sandbox/ports.js';
import { startSandbox } from '../sandbox/start.js';

export interface OutageOptions {
  commands?: number;
  groups?: number;
  /** The line's rate (sends per second) and burst, enforced by the simulator and used by the pacer. */
  ratePerSecond?: number;
  burst?: number;
  outageMs?: number;
  timeoutMs?: number;
}

export interface OutageResult {
  commands: number;
  groups: number;
  ratePerSecond: number;
  burst: number;
  outageSeconds: number;
  /** Requests towards Sendblue started during the outage (all refused). */
  callsDuringOutage: number;
  callsPerWaitingCommand: number;
  /** Recovery to the last accepted send. */
  drainSeconds: number;
  /** `commands` at the line's rate. */
  physicalSeconds: number;
  /** The same with the first burst free: (commands - burst) / rate. */
  physicalSecondsWithBurst: number;
  ratio: number;
  sent: number;
  failed: number;
  deadLettered: number;
  /** Commands Sendblue accepted other than exactly once. */
  notOnce: number;
  orderViolations: number;
  /** Sendblue 429s after recovery (the drain outran the line). */
  throttled: number;
  /** SQS deliveries per command (the ledger's attempts): the waits included. */
  deliveriesPerCommand: number;
}

export async function measureOutage(dynamoDbEndpoint: string, options: OutageOptions = {}): Promise<OutageResult> {
  const {
    commands = 500,
    groups = 50,
    ratePerSecond = 5,
    burst = 10,
    outageMs = 120_000,
    timeoutMs = 600_000,
  } = options;
  const config = {
    ...DEFAULT_SANDBOX_CONFIG,
    port: await findFreePort(),
    sqsPort: await findFreePort(),
    simulatorPort: await findFreePort(),
    lineRatePerSecond: ratePerSecond,
    lineBurst: burst,
    backfillSeconds: 0,
  };
  const sandbox = await startSandbox(config, {
    dynamoDbEndpoint,
    tableName: `bench-outage-${randomUUID()}`,
    loggerFor: () => silentLogger,
    simulator: {
      replyEvery: 0,
      statusDelaysMs: { sent: 600_000, delivered: 600_000 },
      lineRateLimit: { perSecond: ratePerSecond, burst },
    },
  });
  const sqs = new SQSClient({ endpoint: sandbox.urls.sqs, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  const simulatorOrigin = new URL(sandbox.simulator!.url).origin;
  const calls: number[] = [];
  const onRequest = (message: unknown) => {
    const request = (message as { request?: { origin?: string; path?: string } }).request;
    if (request?.origin === simulatorOrigin && request.path?.startsWith('/api/')) calls.push(Date.now());
  };
  subscribe('undici:request:create', onRequest);
  try {
    const sim = sandbox.simulator!;
    const groupIds = Array.from(
      { length: groups },
      (_, i) => sim.createGroup([`+1555600${String(i).padStart(4, '0')}`, '+15556100000']).group_id,
    );
    const ids = Array.from({ length: commands }, (_, i) => `outage-${i}`);
    const contentOf = (n: number) => `#${String(Math.floor(n / groups)).padStart(4, '0')}`;

    const outageStart = Date.now();
    await sim.refuseConnectionsFor(outageMs);
    let recoveredAt = 0;
    const back = sim.listening().then(() => {
      recoveredAt = Date.now();
    });
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
                content: contentOf(n),
              }),
            };
          }),
        }),
      );
    }
    await back;
    const callsDuringOutage = calls.filter((at) => at >= outageStart && at < recoveredAt).length;

    const settled = new Map<string, { state: string; attempts?: number }>();
    while (settled.size < commands && Date.now() - recoveredAt < timeoutMs) {
      for (const id of ids) {
        if (settled.has(id)) continue;
        const item = await sandbox.store.getCommand(id);
        if (item && (item.state === 'sent' || item.state === 'failed')) settled.set(id, item);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: sandbox.urls.deadLetterQueue,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    const accepted = sim.sentMessages();
    const lastSend = Math.max(...accepted.map((m) => Date.parse(m.date_created)));
    const drainSeconds = (lastSend - recoveredAt) / 1000;
    const physicalSeconds = commands / ratePerSecond;
    const byContent = new Map<string, number>();
    for (const m of accepted)
      byContent.set(`${m.group_id} ${m.content}`, (byContent.get(`${m.group_id} ${m.content}`) ?? 0) + 1);
    return {
      commands,
      groups,
      ratePerSecond,
      burst,
      outageSeconds: (recoveredAt - outageStart) / 1000,
      callsDuringOutage,
      callsPerWaitingCommand: callsDuringOutage / commands,
      drainSeconds,
      physicalSeconds,
      physicalSecondsWithBurst: (commands - burst) / ratePerSecond,
      ratio: drainSeconds / physicalSeconds,
      sent: [...settled.values()].filter((item) => item.state === 'sent').length,
      failed: [...settled.values()].filter((item) => item.state === 'failed').length,
      deadLettered: Messages.length,
      notOnce: ids.filter((_, n) => byContent.get(`${groupIds[n % groups]} ${contentOf(n)}`) !== 1).length,
      orderViolations: groupIds.filter((groupId) => {
        const contents = accepted
          .filter((m) => m.group_id === groupId)
          .sort((a, b) => a.seq - b.seq)
          .map((m) => m.content);
        return contents.join() !== [...contents].sort().join();
      }).length,
      throttled: sim.requests.filter((r) => r.path === '/api/send-group-message' && r.status === 429).length,
      deliveriesPerCommand:
        [...settled.values()].reduce((sum, item) => sum + (item.attempts ?? 0), 0) / Math.max(1, settled.size),
    };
  } finally {
    unsubscribe('undici:request:create', onRequest);
    sqs.destroy();
    await sandbox.stop();
  }
}
