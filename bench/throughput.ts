/**
 * Throughput, side by side in the same run (interleaved rounds, medians):
 * - webhooks/s through the sandbox's HTTP route with N concurrent clients, against a bare writer
 *   putting the same items (captured from the handler, keys suffixed) into the same table;
 * - commands/s through SQS emulator -> poller -> sender -> simulator, against a bare
 *   receive / call Sendblue / delete loop on the same emulator and simulator.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../lambdas/adapters/table.js';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Worker } from 'node:worker_threads';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION } from '../sandbox/config.js';
import type { BenchSandbox } from './harness.js';
import { inbound, MEMBERS, RECEIVE } from './payloads.js';

interface LoadJob {
  url: string;
  secret: string;
  total: number;
  concurrency: number;
  groups: string[];
  base: unknown;
  offsetMs: number;
}

export interface ThroughputResult {
  path: string;
  concurrency: number;
  perRound: number;
  rounds: number;
  /** Median rate through the sandbox, per second. */
  sandboxPerSecond: number;
  /** Median rate of the bare baseline, per second. */
  barePerSecond: number;
  ratio: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function runWorkers(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/** Runs the load generator (bench/load-worker.ts) in a worker thread; resolves with its rate. */
function inWorker(job: LoadJob): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: job });
    worker.once('message', (rate: number) => resolve(rate));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with code ${code} before reporting`)));
  });
}

export async function measureWebhookThroughput(
  bench: BenchSandbox,
  { concurrency = 8, perRound = 300, rounds = 6 } = {},
): Promise<ThroughputResult> {
  const clientConfig = { endpoint: bench.dynamo.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS };
  const bare = createDocumentClient(clientConfig); // the handlers' own client settings
  const groups = Array.from({ length: 10 }, () => `bench-tp-${randomUUID()}`);
  const post = async (i: number) => {
    const status = await bench.post('receive', inbound(groups[i % groups.length]));
    if (status !== 200) throw new Error(`webhook answered ${status}`);
  };
  bench.meter.paused = true; // no ReturnConsumedCapacity: the bare writer does not ask for it either
  try {
    await runWorkers(groups.length, concurrency, post); // every group's record is written once
    let roundsRun = 0;
    const sandboxRound = async () => {
      const items: Array<Record<string, unknown>> = [];
      bench.meter.capture = items;
      roundsRun += 1;
      const rate = await inWorker({
        url: bench.sandbox.urls.receiveWebhook,
        secret: bench.config.webhookSecret,
        total: perRound,
        concurrency,
        groups,
        base: RECEIVE,
        offsetMs: roundsRun * 3_600_000,
      });
      bench.meter.capture = undefined;
      return { rate, items };
    };
    // The bare writer puts the same items into the sandbox's own table (same size, same indexes),
    // under a suffixed key: a fresh, small table would be faster than the one the handler fills.
    let bareRuns = 0;
    const bareRound = async (items: Array<Record<string, unknown>>) => {
      bareRuns += 1;
      const suffix = `#bare${bareRuns}`;
      return runWorkers(items.length, concurrency, async (i) => {
        const item = { ...items[i], PK: `${String(items[i]!.PK)}${suffix}` };
        await bare.send(
          new PutCommand({
            TableName: bench.sandbox.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      });
    };
    // Two warm-up rounds of each (DynamoDB Local's JIT speeds up for a while), then ABBA order so
    // that neither side always runs on the warmer database or the larger table.
    let last = await sandboxRound();
    await bareRound(last.items);
    last = await sandboxRound();
    await bareRound(last.items);
    const sandboxRates: number[] = [];
    const bareRates: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      if (round % 2 === 0) {
        last = await sandboxRound();
        sandboxRates.push(last.rate);
        bareRates.push(await bareRound(last.items));
      } else {
        bareRates.push(await bareRound(last.items));
        last = await sandboxRound();
        sandboxRates.push(last.rate);
      }
    }
    const sandboxPerSecond = median(sandboxRates);
    const barePerSecond = median(bareRates);
    return {
      path: 'webhook (HTTP route -> ingest -> DynamoDB Local)',
      concurrency,
      perRound,
      rounds,
      sandboxPerSecond,
      barePerSecond,
      ratio: sandboxPerSecond / barePerSecond,
    };
  } finally {
    bench.meter.capture = undefined;
    bench.meter.paused = false;
    bare.destroy();
  }
}

export async function measureCommandThroughput(
  bench: BenchSandbox,
  { perRound = 40, rounds = 3 } = {},
): Promise<ThroughputResult> {
  const { sandbox, config } = bench;
  const sqs = new SQSClient({ endpoint: sandbox.urls.sqs, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  const queueUrl = sandbox.urls.commandQueue;
  // Every command in its own message group, so batches can hold up to 10 (fauxqs: one per group).
  const load = async () => {
    const ids = Array.from({ length: perRound }, () => randomUUID());
    for (let i = 0; i < ids.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: ids.slice(i, i + 10).map((id, j) => ({
            Id: String(j),
            MessageGroupId: `bench-${id}`,
            MessageBody: JSON.stringify({
              type: 'send_group_message',
              command_id: `bench-${id}`,
              numbers: MEMBERS,
              content: 'Throughput',
            }),
          })),
        }),
      );
    }
  };
  const callSendblue = async (body: string) => {
    const command = JSON.parse(body) as { numbers: string[]; content: string };
    const response = await fetch(`${sandbox.urls.sendblue}/api/send-group-message`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'sb-api-key-id': config.apiKeyId,
        'sb-api-secret-key': config.apiSecretKey,
      },
      body: JSON.stringify({ numbers: command.numbers, content: command.content, from_number: config.fromNumber }),
    });
    if (!response.ok) throw new Error(`simulator answered ${response.status}`);
    await response.arrayBuffer();
  };
  try {
    await sandbox.poller.stop();
    const sandboxRates: number[] = [];
    const bareRates: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      await load();
      let started = performance.now();
      sandbox.poller.start();
      await sandbox.poller.drained();
      sandboxRates.push(perRound / ((performance.now() - started) / 1000));
      await sandbox.poller.stop();

      await load();
      started = performance.now();
      for (let done = 0; done < perRound; ) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        await Promise.all(Messages.map((message) => callSendblue(message.Body ?? '{}')));
        if (Messages.length) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
        done += Messages.length;
      }
      bareRates.push(perRound / ((performance.now() - started) / 1000));
    }
    const sandboxPerSecond = median(sandboxRates);
    const barePerSecond = median(bareRates);
    return {
      path: 'commands (SQS emulator -> sender -> simulator)',
      concurrency: 10,
      perRound,
      rounds,
      sandboxPerSecond,
      barePerSecond,
      ratio: sandboxPerSecond / barePerSecond,
    };
  } finally {
    sandbox.poller.start();
    sqs.destroy();
  }
}
