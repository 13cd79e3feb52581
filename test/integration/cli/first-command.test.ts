/**
 * The newcomer's path: `npm start` (bin/sandbox.ts as a process, on free ports), then the very
 * commands its banner prints, run as printed through a shell (`npm run cli -- ...`): a group
 * message is sent, its history shows the delivery, `setup` reaches the simulator with the same
 * prefix, and the page the banner names is served.
 */
import { exec, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../sandbox/ports.js';
import { waitFor } from '../../support/processes.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let child: ChildProcess | undefined;
let exited: Promise<unknown> | undefined;
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
});

describe("npm start, then the banner's first commands", () => {
  it('sends a group message with the printed CLI command and reads its history', async () => {
    const ports = {
      api: await findFreePort(),
      sqs: await findFreePort(),
      dynamo: await findFreePort(),
      simulator: await findFreePort(),
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'bin/sandbox.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        SANDBOX_PORT: String(ports.api),
        SANDBOX_SQS_PORT: String(ports.sqs),
        SANDBOX_DYNAMODB_PORT: String(ports.dynamo),
        SANDBOX_SIMULATOR_PORT: String(ports.simulator),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => child!.once('exit', resolve));
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('Press Ctrl-C to stop.') || child!.exitCode !== null, 30_000, 'the banner');

    expect(output).toContain(`Web page          http://127.0.0.1:${ports.api}/`);
    const lines = output.split('\n').map((line) => line.trim());
    const send = lines.find((line) => line.includes('npm run cli -- send '));
    const history = lines.find((line) => line.includes('npm run cli -- history '));
    // Every env var the CLI reaches this sandbox with: `setup` calls the simulator, so its port too.
    const prefix = `SANDBOX_PORT=${ports.api} SANDBOX_SQS_PORT=${ports.sqs} SANDBOX_SIMULATOR_PORT=${ports.simulator} npm run cli --`;
    expect(send).toBe(`${prefix} send --to +15551230001,+15551230002 "Hello group" --wait`);
    // The docs' $API and $SIM, for these ports.
    expect(output).toContain(
      `The docs' examples use $API and $SIM; for this sandbox: API=http://127.0.0.1:${ports.api} SIM=http://127.0.0.1:${ports.simulator}`,
    );

    // Run exactly as a user pastes it (no environment of ours: the line carries the ports).
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const sent = await promisify(exec)(send!, { cwd: ROOT, env });
    expect(sent.stdout).toMatch(/command [0-9a-f-]{36}: sent ✓ \(group message\)/);
    const groupId = /group {4}(sb_group_\S+)/.exec(sent.stdout)?.[1];
    expect(groupId).toBeDefined();

    const historyLine = history!.replace('<group_id from the line above>', groupId!);
    await waitFor(
      async () => (await promisify(exec)(historyLine, { cwd: ROOT, env })).stdout.includes('Hello group  ✓✓ DELIVERED'),
      15_000,
      'DELIVERED in the history',
    );
    // The sandbox logged it, one line per event, numbers masked.
    await waitFor(() => output.includes('status changed'), 5_000, 'the event lines');
    expect(output).toMatch(/sender +command sent {2}command_id=/);
    expect(output).not.toMatch(/(from_number|numbers)=\+15551230001/);

    // setup with the banner's prefix reaches the sandbox's simulator (it listed nothing before the
    // simulator's port was in the prefix: ECONNREFUSED on the default 4010).
    const setup = await promisify(exec)(`${prefix} setup --show`, { cwd: ROOT, env });
    expect(setup.stdout).toContain(`Webhooks on the Sendblue account (http://127.0.0.1:${ports.simulator}):`);

    const page = await fetch(`http://127.0.0.1:${ports.api}/`);
    expect(await page.text()).toContain('<title>Sendblue groups sandbox</title>');
  }, 60_000);
});
