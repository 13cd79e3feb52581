/**
 * The CLI as a newcomer meets it, against a whole sandbox on non-default ports (the harness): the
 * hints it prints are commands that work when pasted, `--wait` shows progress on a terminal (a fake
 * TTY through CliIo: no real terminal needed) and a timeout says where the command is and how to
 * follow it; the simulator holds the send with 429s for as long as a test needs.
 */
import { exec } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { DEFAULT_SANDBOX_CONFIG } from '../../../sandbox/config.js';
import { findFreePort } from '../../../sandbox/ports.js';
import { waitFor } from '../../support/processes.js';
import { MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let h: Harness;
let env: NodeJS.ProcessEnv;
let prefix: string;
beforeAll(async () => {
  h = await startHarness();
  env = { SANDBOX_PORT: new URL(h.sandbox.urls.api).port, SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port };
  prefix = `SANDBOX_PORT=${env.SANDBOX_PORT} SANDBOX_SQS_PORT=${env.SANDBOX_SQS_PORT} npm run cli --`;
});
afterAll(() => h?.stop());
afterEach(() => h?.sim.clearFaults());

interface Run {
  code: number;
  out: string;
  err: string;
  lines: string[];
}

/** runCli with an io of our own; `isTTY` plays a terminal. `live` sees the output as it comes. */
async function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; isTTY?: boolean; live?: string[] } = {}) {
  const out = options.live ?? [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: options.env ?? env,
    isTTY: options.isTTY,
  });
  return { code, out: out.join('\n'), err: err.join('\n'), lines: out } satisfies Run;
}

/**
 * A printed hint run as a user pastes it: its leading VAR=value words are the whole environment
 * (nothing of ours), the rest after `npm run cli --` the arguments.
 */
function paste(hint: string): Promise<Run> {
  const words = hint.trim().split(/\s+/);
  const pasted: NodeJS.ProcessEnv = {};
  while (/^[A-Z_]+=/.test(words[0]!)) {
    const [name, value] = words.shift()!.split('=');
    pasted[name!] = value;
  }
  expect(words.slice(0, 4)).toEqual(['npm', 'run', 'cli', '--']);
  return cli(words.slice(4), { env: pasted });
}

/** The hint after `label` in some output. */
const hintAfter = (output: string, label: string) => {
  const line = output.split('\n').find((l) => l.includes(label));
  expect(line, `a line with "${label}" in:\n${output}`).toBeDefined();
  return line!.slice(line!.indexOf(label) + label.length).trim();
};

const uid = () => Math.random().toString(36).slice(2, 10);
const holdSends = () => h.sim.injectFault({ kind: '429', route: 'send', count: 10_000 });

describe('hints carry the sandbox in use', () => {
  it('"follow it" after a send, and "older messages" after a page, work pasted', async () => {
    const queued = await cli(['send', '--to', `${MEMBERS[0]},${MEMBERS[1]}`, 'First hint', '--id', `hint-${uid()}`]);
    expect(queued.code).toBe(0);
    const follow = hintAfter(queued.out, 'follow it:');
    expect(follow).toMatch(new RegExp(`^${literal(prefix)} status hint-\\w+$`));
    const status = await paste(`${follow} --wait`);
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/^command hint-\w+: sent ✓ \(group message\)$/m);
    const groupId = /group {4}(\S+)/.exec(status.out)![1]!;

    expect((await cli(['send', '--group', groupId, 'Second hint', '--wait'])).code).toBe(0);
    const page = await cli(['history', groupId, '--limit', '1']);
    const older = hintAfter(page.out, 'older messages:');
    expect(older).toMatch(new RegExp(`^${literal(prefix)} history ${groupId} --limit 1 --cursor \\S+$`));
    const next = await paste(older);
    expect(next.code, next.err).toBe(0);
    expect(next.out).toContain('First hint');
    expect(next.out).not.toContain('Second hint');
  });

  it('a failed command names the DLQ command that fits its failure, and it works pasted', async () => {
    const id = `dlq-hint-${uid()}`;
    h.sim.injectFault({ kind: '400', route: 'send', count: 1 });
    const failed = await cli(['send', '--to', `${MEMBERS[1]},${MEMBERS[2]}`, 'Fails once', '--id', id, '--wait']);
    expect(failed.code).toBe(2);
    // Refused by Sendblue: a redrive would be refused again, so the hint is to delete it.
    expect(failed.out).toContain(
      `  it is on the DLQ (refused by Sendblue): a redrive is refused again: fix and push a corrected command (it may reuse the command_id), then delete this one: \`${prefix} dlq --delete --id ${id}\``,
    );
    const listed = await cli(['dlq']);
    expect(hintAfter(listed.out, 'delete it:').split(';')[0]).toBe(`${prefix} dlq --delete --id ${id}`);
    // The simulator refused it once only: "redrive it anyway", pasted, sends it.
    const anyway = hintAfter(listed.out, 'redrive it anyway:');
    expect(anyway).toBe(`${prefix} dlq --redrive --id ${id}`);
    const redriven = await paste(`${anyway} --wait`);
    expect(redriven.code, redriven.err).toBe(0);
    expect(redriven.out).toContain(`${id}  (was: `);
    expect((await cli(['status', id])).out).toContain(`command ${id}: sent ✓`);
  });
});

describe('setup and the simulator it calls', () => {
  it("the simulator's port from SANDBOX_SIMULATOR_PORT; when nothing answers there, the error names the URL", async () => {
    const simulatorPort = new URL(h.sim.url).port;
    const shown = await cli(['setup', '--show'], { env: { ...env, SANDBOX_SIMULATOR_PORT: simulatorPort } });
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain(`Webhooks on the Sendblue account (http://127.0.0.1:${simulatorPort}):`);

    const nothingThere = String(await findFreePort());
    const missed = await cli(['setup', '--show'], { env: { ...env, SANDBOX_SIMULATOR_PORT: nothingThere } });
    expect(missed.code).toBe(2);
    expect(missed.err).toBe(
      `error: could not reach Sendblue to list the account webhooks (ECONNREFUSED); tried http://127.0.0.1:${nothingThere}/api/account/webhooks` +
        " (the sandbox's simulator: is `npm start` running, and SANDBOX_SIMULATOR_PORT set as for it? Its banner's commands carry it)",
    );
    expect(missed.err).not.toContain(DEFAULT_SANDBOX_CONFIG.apiSecretKey);
  });
});

describe('--wait on a terminal, and timeouts', () => {
  it('a terminal sees each change as it happens (retrying after a 429, then sent ✓)', async () => {
    holdSends();
    const live: string[] = [];
    const id = `tty-${uid()}`;
    const running = cli(['send', '--to', `${MEMBERS[0]},${MEMBERS[2]}`, 'Progress please', '--id', id, '--wait'], {
      isTTY: true,
      live,
    });
    await waitFor(() => live.some((line) => line.includes('retrying in')), 15_000, 'a retrying line');
    h.sim.clearFaults();
    const result = await running;
    expect(result.code, result.err).toBe(0);
    expect(result.lines[0]).toMatch(
      new RegExp(`^queued command ${id} \\(group message\\) on the sandbox .*; waiting for it:$`),
    );
    const progress = result.lines.slice(1, result.lines.indexOf(`command ${id}: sent ✓ (group message)`));
    // `sending` lasts as long as one call to the simulator, so a poll may or may not see it; the
    // 429 was held until a line showed it.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const line of progress) expect(line).toMatch(/^ {2}(queued|sending|sent ✓)/);
    expect(progress).toContainEqual(expect.stringMatching(/^ {2}queued, retrying in \d+ s: .*HTTP 429/));
    expect(progress.at(-1)).toBe('  sent ✓');
    // Each line is a change: never the same line twice in a row.
    expect(progress.filter((line, i) => line === progress[i - 1])).toEqual([]);
  });

  it('piped (no TTY) or --json: no progress, the output scripts read as ever', async () => {
    const id = `piped-${uid()}`;
    const piped = await cli(['send', '--to', `${MEMBERS[0]},${MEMBERS[2]}`, 'Quiet please', '--id', id, '--wait']);
    expect(piped.code).toBe(0);
    expect(piped.lines[0]).toBe(`command ${id}: sent ✓ (group message)`);
    expect(piped.out).not.toMatch(/waiting for it|^ {2}sending/m);
    const json = await cli(['status', id, '--wait', '--json'], { isTTY: true });
    expect(JSON.parse(json.out)).toMatchObject({ command_id: id, state: 'sent' });
  });

  it('a timeout says the state and the command to follow it (exit 2); pasted in a shell, it follows it', async () => {
    holdSends();
    const id = `slow-${uid()}`;
    const slow = await cli([
      'send',
      '--to',
      `${MEMBERS[1]},${MEMBERS[2]}`,
      'Held back',
      '--id',
      id,
      '--wait',
      '--timeout',
      '2',
    ]);
    expect(slow.code).toBe(2);
    expect(slow.err).toMatch(
      new RegExp(
        `^error: command ${id} did not settle within 2 s \\(state: (queued|sending)[^\\n]*\\); follow it: ${literal(prefix)} status ${id} --wait$`,
      ),
    );
    expect(slow.out).toMatch(new RegExp(`^command ${id}: (queued|sending) \\(group message\\)`));
    // status --wait that runs out of time says the same.
    const still = await cli(['status', id, '--wait', '--timeout', '1']);
    expect(still.code).toBe(2);
    expect(still.err).toMatch(
      new RegExp(
        `did not settle within 1 s \\(state: (queued|sending).*follow it: ${literal(prefix)} status ${id} --wait$`,
      ),
    );

    h.sim.clearFaults();
    const follow = hintAfter(slow.err, 'follow it:');
    // Exactly as printed, through a shell, with no environment of ours: the line carries the ports.
    const { stdout } = await promisify(exec)(follow, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect(stdout).toContain(`command ${id}: sent ✓ (group message)`);
    expect(h.sim.sentMessages().filter((m) => m.content === 'Held back')).toHaveLength(1);
  }, 60_000);
});

describe('help, --version, and what is refused', () => {
  it('--version and -v print the version in package.json (exit 0)', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await cli(['--version'])).toMatchObject({ code: 0, out: version, err: '' });
    expect(await cli(['-v'])).toMatchObject({ code: 0, out: version });
    expect(JSON.parse((await cli(['--version', '--json'])).out)).toEqual({ version });
  });

  it('help <command> is <command> --help; help alone is the main help', async () => {
    for (const name of ['send', 'status', 'dlq', 'setup']) {
      const viaHelp = await cli(['help', name]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.out).toBe((await cli([name, '--help'])).out);
      expect(viaHelp.out).toMatch(new RegExp(`^Usage: cli ${name} `));
    }
    const main = await cli(['help']);
    expect(main).toMatchObject({ code: 0, out: (await cli(['--help'])).out });
    expect(main.out).toContain('npm run cli -- help <command>');
    expect(main.out).toContain('npm run cli -- --version');
    expect((await cli(['--stack', 'Prod', 'dlq'])).err).toMatch(
      /^error: unknown option '--stack' before a command \(options go after it: npm run cli -- <command> \[options\]\); commands: /,
    );
    const unknown = await cli(['help', 'sned']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(
      /^error: unknown command "sned" \(did you mean send\?\); commands: .* \(see: npm run cli -- --help\)$/,
    );
  });

  it('send --to with --group: exit 1, nothing queued', async () => {
    const id = `both-${uid()}`;
    const before = h.sim.requests.length;
    const result = await cli(['send', '--to', MEMBERS[0]!, '--group', 'sb_group_x', 'hi', '--id', id]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'error: send: --to starts a new group and --group sends to an existing one: give one of them, not both (see: npm run cli -- send --help)',
    );
    await h.sandbox.poller.drained();
    expect(h.sim.requests.length).toBe(before);
    expect((await h.command(id)).status).toBe(404);
  });
});

/** `text` as a RegExp source that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
