/**
 * The whole sandbox: `bin/sandbox.ts` run as `npm start` runs it (`node --import tsx`), `npm start`
 * itself for signal handling, and startSandbox() in-process for the half-way failure case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_SANDBOX_CONFIG, SANDBOX_QUEUE_NAME } from '../../../sandbox/config.js';
import { findFreePort, isPortFree } from '../../../sandbox/ports.js';
import { trackedChildren } from '../../../sandbox/processes.js';
import { startSandbox } from '../../../sandbox/start.js';
import { silentLogger } from '../../../lambdas/platform/logger.js';
import { dynamoDbLocalPids, isAlive, waitFor } from '../../support/processes.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

async function freePorts() {
  return {
    api: await findFreePort(),
    sqs: await findFreePort(),
    dynamo: await findFreePort(),
    simulator: await findFreePort(),
  };
}

const portEnv = (ports: Awaited<ReturnType<typeof freePorts>>) => ({
  SANDBOX_PORT: String(ports.api),
  SANDBOX_SQS_PORT: String(ports.sqs),
  SANDBOX_DYNAMODB_PORT: String(ports.dynamo),
  SANDBOX_SIMULATOR_PORT: String(ports.simulator),
});

interface RunningCli {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}
const running: RunningCli[] = [];

/** What `npm start` runs (`node --import tsx bin/sandbox.ts`), or `npm start` itself. */
function runSandboxCli(env: Record<string, string>, viaNpm = false): RunningCli {
  const [command, args] = viaNpm ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', 'bin/sandbox.ts']];
  const child = spawn(command as string, args as string[], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const cli = { child, output: () => text, exited };
  running.push(cli);
  return cli;
}

afterEach(async () => {
  // A failed assertion must not leave a sandbox (and its Java) behind.
  for (const { child, exited } of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
});

/**
 * Issue "Sender path", done means: a send_group_message pushed to the queue by name with the AWS
 * SDK reaches the simulator exactly once, lands in the group's history and reaches DELIVERED.
 */
async function sendThroughTheQueueAsAUserWould(ports: Awaited<ReturnType<typeof freePorts>>, api: string) {
  const sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${ports.sqs}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  });
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: SANDBOX_QUEUE_NAME }));
    const command = {
      type: 'send_group_message',
      command_id: 'done-means-1',
      numbers: ['+15551230001', '+15551230002'],
      content: 'Hello group',
    };
    await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageGroupId: 'done-means', MessageBody: JSON.stringify(command) }),
    );
  } finally {
    sqs.destroy();
  }
  let state: { state?: string; group_id?: string; message_handle?: string } = {};
  await waitFor(
    async () => {
      state = (await (await fetch(`${api}/commands/done-means-1`)).json()) as typeof state;
      return state.state === 'sent';
    },
    15_000,
    'the command to be sent',
  );
  const { requests } = (await (await fetch(`http://127.0.0.1:${ports.simulator}/__simulator/requests`)).json()) as {
    requests: Array<{ path: string; body: Record<string, unknown> }>;
  };
  const sends = requests.filter((r) => r.path === '/api/send-group-message');
  expect(sends).toHaveLength(1);
  expect(sends[0]!.body).toMatchObject({
    numbers: ['+15551230001', '+15551230002'],
    content: 'Hello group',
    from_number: DEFAULT_SANDBOX_CONFIG.fromNumber,
  });
  let messages: Array<{ message_handle: string; status: string; content: string }> = [];
  await waitFor(
    async () => {
      messages = (
        (await (await fetch(`${api}/groups/${state.group_id}/messages`)).json()) as { messages: typeof messages }
      ).messages;
      return messages[0]?.status === 'DELIVERED';
    },
    10_000,
    'the message to reach DELIVERED',
  );
  expect(messages).toEqual([
    expect.objectContaining({ message_handle: state.message_handle, content: 'Hello group', direction: 'outbound' }),
  ]);
}

/**
 * A whole `npm start` (npm, tsx, Java's DynamoDB Local) takes about 9 s here alone; in the full
 * suite, beside the long outage and fault-mix tests on 2 cores, it has taken over 20 s.
 */
const NPM_START_TIMEOUT_MS = 60_000;

describe('npm start (bin/sandbox.ts)', () => {
  it(
    'prints the banner, serves the API, sends a queued command, and stops with its Java child on SIGTERM (exit 0)',
    async () => {
      const ports = await freePorts();
      const cli = runSandboxCli(portEnv(ports));
      await waitFor(
        () => cli.output().includes('Press Ctrl-C to stop.') || cli.child.exitCode !== null,
        30_000,
        'the banner',
      );
      const banner = cli.output();
      const api = `http://127.0.0.1:${ports.api}`;
      expect(banner).toContain('Sendblue groups sandbox is ready.');
      for (const url of [
        `${api}/health`,
        `${api}/webhooks/receive`,
        `${api}/webhooks/status`,
        `http://127.0.0.1:${ports.dynamo}`,
      ]) {
        expect(banner).toContain(url);
      }
      expect(banner).toContain('table sendblue-groups');
      expect(banner).toContain(`sb-signing-secret: ${DEFAULT_SANDBOX_CONFIG.webhookSecret}`);
      expect(banner).toContain(`curl -s ${api}/groups/sandbox-group-1/messages`);
      for (const text of [
        `http://127.0.0.1:${ports.sqs}`,
        SANDBOX_QUEUE_NAME,
        `http://127.0.0.1:${ports.simulator}  (built-in simulator)`,
        `Events            ${api}/__sandbox/events`,
        'Media copies      bucket sendblue-groups-media',
      ]) {
        expect(banner).toContain(text);
      }

      const health = await fetch(`${api}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });

      await sendThroughTheQueueAsAUserWould(ports, api);

      const javaPids = dynamoDbLocalPids(ports.dynamo);
      expect(javaPids).toHaveLength(1);

      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toContain('Sandbox stopped.');
      await waitFor(() => !isAlive(javaPids[0]!), 5000, 'the Java child to exit');
      expect(dynamoDbLocalPids(ports.dynamo)).toEqual([]);
      expect(await isPortFree(ports.api)).toBe(true);
      expect(await isPortFree(ports.dynamo)).toBe(true);
    },
    NPM_START_TIMEOUT_MS,
  );

  it(
    'stops everything when `npm start` itself receives SIGTERM (npm does not pass it on)',
    async () => {
      const ports = await freePorts();
      const cli = runSandboxCli(portEnv(ports), true);
      await waitFor(
        () => cli.output().includes('Press Ctrl-C to stop.') || cli.child.exitCode !== null,
        30_000,
        'the banner',
      );
      const javaPids = dynamoDbLocalPids(ports.dynamo);
      expect(javaPids).toHaveLength(1);
      cli.child.kill('SIGTERM');
      await cli.exited;
      await waitFor(() => !isAlive(javaPids[0]!), 10_000, 'the Java child to exit');
      await waitFor(async () => await isPortFree(ports.api), 5_000, 'the API port to be released');
      expect(dynamoDbLocalPids(ports.dynamo)).toEqual([]);
    },
    NPM_START_TIMEOUT_MS,
  );

  it(
    'says in one plain line that DynamoDB Local stopped, and exits 1 (it does not limp on answering 503s)',
    async () => {
      const ports = await freePorts();
      const cli = runSandboxCli(portEnv(ports));
      await waitFor(
        () => cli.output().includes('Press Ctrl-C to stop.') || cli.child.exitCode !== null,
        30_000,
        'the banner',
      );
      expect(cli.output()).toContain(
        `http://127.0.0.1:${ports.dynamo}  (table sendblue-groups, region us-east-1, any credentials; 127.0.0.1 only)`,
      );
      const [javaPid] = dynamoDbLocalPids(ports.dynamo);
      process.kill(javaPid!, 'SIGKILL');
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toContain('DynamoDB Local stopped unexpectedly (signal SIGKILL): stopping the sandbox...');
      expect(cli.output()).not.toContain('Sandbox stopped.');
      await waitFor(async () => await isPortFree(ports.api), 5_000, 'the API port to be released');
    },
    NPM_START_TIMEOUT_MS,
  );

  it('exits 1 with a clear message when the DynamoDB port is taken', async () => {
    const ports = await freePorts();
    const blocker = await occupy(ports.dynamo);
    try {
      const cli = runSandboxCli({ SANDBOX_PORT: String(ports.api), SANDBOX_DYNAMODB_PORT: String(ports.dynamo) });
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toContain(`The sandbox could not start: Port ${ports.dynamo} is already in use`);
      expect(cli.output()).toContain('SANDBOX_DYNAMODB_PORT=<port>');
    } finally {
      blocker.close();
    }
  });

  it('exits 1 and lists the problem for an invalid configuration', async () => {
    const cli = runSandboxCli({ SANDBOX_PORT: 'abc' });
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain(
      'Invalid sandbox configuration:\n  - SANDBOX_PORT must be a port number from 1 to 65535 (got "abc")',
    );
  });
});

describe('startSandbox', () => {
  it('/health reflects DynamoDB: 200 while it answers, 503 with a JSON error once it is gone, and onFatal says why', async () => {
    const ports = await freePorts();
    const fatal: string[] = [];
    const sandbox = await startSandbox(
      {
        ...DEFAULT_SANDBOX_CONFIG,
        port: ports.api,
        dynamoDbPort: ports.dynamo,
        sqsPort: ports.sqs,
        simulatorPort: ports.simulator,
      },
      { loggerFor: () => silentLogger, onFatal: (message) => fatal.push(message) },
    );
    try {
      const healthy = await fetch(sandbox.urls.health);
      expect([healthy.status, await healthy.json()]).toEqual([200, { ok: true }]);
      const [javaPid] = dynamoDbLocalPids(ports.dynamo);
      process.kill(javaPid!, 'SIGKILL');
      await waitFor(() => fatal.length > 0, 5_000, 'onFatal');
      expect(fatal).toEqual(['DynamoDB Local stopped unexpectedly (signal SIGKILL)']);
      const down = await fetch(sandbox.urls.health);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ok: false, error: expect.stringMatching(/storage is not answering/) });
    } finally {
      await sandbox.stop();
    }
    expect(fatal).toHaveLength(1);
  });

  it('stops DynamoDB Local again when a later step fails (API port taken)', async () => {
    const ports = await freePorts();
    const blocker = await occupy(ports.api);
    try {
      await expect(
        startSandbox(
          {
            ...DEFAULT_SANDBOX_CONFIG,
            port: ports.api,
            dynamoDbPort: ports.dynamo,
            sqsPort: ports.sqs,
            simulatorPort: ports.simulator,
          },
          { loggerFor: () => silentLogger },
        ),
      ).rejects.toThrow(`Port ${ports.api} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
    expect(dynamoDbLocalPids(ports.dynamo)).toEqual([]);
    expect(trackedChildren()).toEqual([]);
    expect(await isPortFree(ports.dynamo)).toBe(true);
  });
});

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer().listen(port, '127.0.0.1', () => resolve(server));
  });
}
