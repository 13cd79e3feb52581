/**
 * One sandbox for the whole benchmark run: its own DynamoDB Local (Java, stopped in every case),
 * the HTTP API, the SQS emulator, the sender and the Sendblue simulator, with a meter on the
 * handlers' DynamoDB client. Status callbacks from the simulator are held back (10 min) so that
 * only the requests a scenario makes are counted; member replies are off.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { silentLogger } from '../lambdas/platform/logger.js';
import { DEFAULT_SANDBOX_CONFIG, type SandboxConfig } from '../sandbox/config.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../sandbox/dynamodb-local.js';
import { findFreePort } from '../sandbox/ports.js';
import { startSandbox, type RunningSandbox } from '../sandbox/start.js';

export interface MeteredRequest {
  command: string;
  write: boolean;
  /** Capacity units DynamoDB reported (ReturnConsumedCapacity=INDEXES), table and indexes together. */
  units?: number;
  indexUnits?: number;
  error?: string;
}

/** Counts every request of a document client and asks DynamoDB for the capacity each consumed. */
export class RequestMeter {
  readonly requests: MeteredRequest[] = [];
  /** Paused: neither counted nor asked for capacity (throughput runs), PutItem items still captured. */
  paused = false;
  /** When set, the Item of every PutItem is copied here (the throughput baseline writes the same items). */
  capture?: Array<Record<string, unknown>>;

  attach(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName).replace(/Command$/, '');
        const item = (args.input as { Item?: Record<string, unknown> }).Item;
        if (this.capture && command === 'PutItem' && item) this.capture.push(item);
        if (this.paused) return next(args);
        const entry: MeteredRequest = { command, write: /Put|Update|Delete|Write|Transact/.test(command) };
        this.requests.push(entry);
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
        try {
          const result = await next(args);
          const output = result.output as { ConsumedCapacity?: Capacity | Capacity[] };
          const consumed = [output.ConsumedCapacity ?? []].flat();
          if (consumed.length) {
            entry.units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
            entry.indexUnits = consumed.reduce(
              (sum, c) =>
                sum + Object.values(c.GlobalSecondaryIndexes ?? {}).reduce((s, i) => s + (i.CapacityUnits ?? 0), 0),
              0,
            );
          }
          return result;
        } catch (error) {
          entry.error = (error as Error).name;
          throw error;
        }
      },
      { step: 'initialize', name: 'benchRequestMeter' },
    );
  }

  mark(): number {
    return this.requests.length;
  }

  since(mark: number): MeteredRequest[] {
    return this.requests.slice(mark);
  }
}
type Capacity = { CapacityUnits?: number; GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> };

export interface BenchSandbox {
  dynamo: DynamoDbLocal;
  sandbox: RunningSandbox;
  config: SandboxConfig;
  meter: RequestMeter;
  /** POSTs a webhook body with the signing secret; resolves with the HTTP status. */
  post(route: 'receive' | 'status', body: unknown): Promise<number>;
  stop(): Promise<void>;
}

export async function startBenchSandbox(): Promise<BenchSandbox> {
  const dynamo = await startDynamoDbLocal({ port: await findFreePort() });
  try {
    const meter = new RequestMeter();
    const config: SandboxConfig = {
      ...DEFAULT_SANDBOX_CONFIG,
      port: await findFreePort(),
      sqsPort: await findFreePort(),
      simulatorPort: await findFreePort(),
      // Throughput and request counts are measured on an unlimited line (pacing still takes its slot
      // write per send); bench/pacing.ts measures Sendblue's real limit.
      lineRatePerSecond: 1_000,
      lineBurst: 1_000,
      // No backfill timer: its runs would be counted with the events measured (bench/backfill.ts runs it itself).
      backfillSeconds: 0,
    };
    const sandbox = await startSandbox(config, {
      dynamoDbEndpoint: dynamo.endpoint,
      tableName: `bench-${randomUUID()}`,
      loggerFor: () => silentLogger,
      onDocumentClient: (client) => meter.attach(client),
      sender: { retry: { baseSeconds: 0, maxSeconds: 0 }, leaseMs: 5_000 },
      simulator: { replyEvery: 0, statusDelaysMs: { sent: 600_000, delivered: 600_000 }, lineRateLimit: false },
    });
    // node:http with keep-alive rather than fetch: the load generator shares this process (and its
    // CPU) with the sandbox, and undici's fetch costs several times more CPU per request.
    const agent = new Agent({ keepAlive: true });
    const post = (route: 'receive' | 'status', body: unknown) =>
      new Promise<number>((resolve, reject) => {
        const url = route === 'receive' ? sandbox.urls.receiveWebhook : sandbox.urls.statusWebhook;
        const payload = JSON.stringify(body);
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
              'sb-signing-secret': config.webhookSecret,
            },
          },
          (res) => {
            res.resume();
            res.once('end', () => resolve(res.statusCode ?? 0));
            res.once('error', reject);
          },
        );
        req.once('error', reject);
        req.end(payload);
      });
    const stop = async () => {
      agent.destroy();
      try {
        await sandbox.stop();
      } finally {
        await dynamo.stop();
      }
    };
    return { dynamo, sandbox, config, meter, post, stop };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
