/**
 * `cli lines` against a whole sandbox (the harness): Sendblue's lines/state and lines/usage read
 * from the simulator over HTTP through the one client, with the sender's pause from the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';

const LINE_B = '+15550000001';
let h: Harness;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  h = await startHarness({ simulator: { extraLines: [LINE_B], newContactQuota: true } });
  env = {
    SANDBOX_PORT: new URL(h.sandbox.urls.api).port,
    SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port,
    SANDBOX_SIMULATOR_PORT: new URL(h.sim.url).port,
  };
});
afterAll(() => h?.stop());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cli lines', () => {
  it('shows each line with its state, its new contacts and whether the sender paused it', async () => {
    const sent = await cli('send', '--to', `${MEMBERS[0]},${MEMBERS[1]}`, 'count me', '--wait');
    expect(sent.code, sent.err).toBe(0);
    h.sim.setLineState(LINE_B, 'OFFLINE');

    const json = await cli('lines', '--json');
    expect(json.code, json.err).toBe(0);
    const { lines } = JSON.parse(json.out);
    expect(lines).toEqual([
      {
        line: LINE,
        status: 'ONLINE',
        usage: expect.objectContaining({ enabled: true, hourly: expect.objectContaining({ used: 2, limit: 15 }) }),
        paused: null,
      },
      {
        line: LINE_B,
        status: 'OFFLINE',
        usage: expect.objectContaining({ state: 'offline', hourly: expect.objectContaining({ used: 0 }) }),
        paused: null,
      },
    ]);

    const human = await cli('lines');
    expect(human.code).toBe(0);
    expect(human.out).toContain(`${LINE}  ONLINE`);
    expect(human.out).toContain('new contacts  2/15 this hour');
    expect(human.out).toContain(`${LINE_B}  OFFLINE`);
    expect(human.out).toContain('sender        not paused');
  });

  it('says so when Sendblue cannot be read (exit 2), and refuses arguments (exit 1)', async () => {
    expect((await cli('lines', 'extra')).code).toBe(1);
    const down = await runCli(['lines'], {
      out: () => {},
      err: () => {},
      env: { ...env, SANDBOX_SIMULATOR_PORT: '1' },
    });
    expect(down).toBe(2);
  });
});
