/**
 * The CLI against a whole sandbox (the harness: SQS emulator, sender, simulator, DynamoDB Local),
 * run in-process through runCli (what bin/cli.ts calls) and once as the real `bin/cli.ts` process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../../cli/context.js';
import { COMMANDS, runCli } from '../../../cli/main.js';
import { findFreePort } from '../../../sandbox/ports.js';
import { waitFor } from '../../support/processes.js';
import { LINE, MEMBERS, startHarness, type Harness } from '../../support/sandbox-harness.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let h: Harness;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  h = await startHarness();
  env = { SANDBOX_PORT: new URL(h.sandbox.urls.api).port, SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port };
});
afterAll(() => h?.stop());

async function cli(...argv: string[]) {
  return cliWith({}, ...argv);
}
/** runCli with more of an io: `stdin` plays a pipe. */
async function cliWith(io: Pick<CliIo, 'stdin'>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env, ...io });
  return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
}
const uid = () => Math.random().toString(36).slice(2, 10);

describe('cli: a group conversation', () => {
  let groupId: string;

  it('send --wait --json: the command is sent and the group_id is known', async () => {
    const result = await cli(
      'send',
      '--to',
      `${MEMBERS[0]},${MEMBERS[1]}`,
      'Hello',
      'from',
      'the',
      'CLI',
      '--wait',
      '--json',
    );
    expect(result.code).toBe(0);
    const view = result.json();
    expect(view).toMatchObject({ state: 'sent', type: 'send_group_message', error: null });
    groupId = view.group_id;
    expect(groupId).toMatch(/^sb_group_/);
    expect(h.sim.sentMessages().filter((m) => m.content === 'Hello from the CLI')).toHaveLength(1);
  });

  it('history shows our message with its status mark, then a simulated member reply', async () => {
    await waitFor(
      async () => (await cli('history', groupId)).out.includes('✓✓ DELIVERED'),
      10_000,
      'DELIVERED in the history',
    );
    await h.sim.memberReply(groupId, 'Got it, thanks');
    await waitFor(
      async () => (await cli('history', groupId)).out.includes('Got it, thanks'),
      10_000,
      'the reply in the history',
    );
    const lines = (await cli('history', groupId)).out.split('\n');
    expect(lines[0]).toMatch(/→ us\s+Hello from the CLI {2}✓✓ DELIVERED$/);
    expect(lines[1]).toMatch(new RegExp(`← \\${MEMBERS[0]}|← \\${MEMBERS[1]}`));
    expect(lines[1]).toContain('Got it, thanks');
  });

  it('history pages with --limit and --cursor (newest first), --all gets everything', async () => {
    const first = (await cli('history', groupId, '--limit', '1', '--json')).json();
    expect(first.messages.map((m: { content: string }) => m.content)).toEqual(['Got it, thanks']);
    expect(first.next_cursor).toEqual(expect.any(String));
    const human = await cli('history', groupId, '--limit', '1');
    // The hint carries this sandbox's ports and the page size, so pasting it gives the next page.
    expect(human.out).toContain(
      `older messages: SANDBOX_PORT=${env.SANDBOX_PORT} SANDBOX_SQS_PORT=${env.SANDBOX_SQS_PORT} npm run cli -- history ${groupId} --limit 1 --cursor `,
    );
    const second = (await cli('history', groupId, '--limit', '1', '--cursor', first.next_cursor, '--json')).json();
    expect(second.messages.map((m: { content: string }) => m.content)).toEqual(['Hello from the CLI']);
    expect(second.next_cursor).toBeNull();
    expect((await cli('history', groupId, '--limit', '1', '--all', '--json')).json().messages).toHaveLength(2);
  });

  it('add, rename and remove change the group; status and group show them', async () => {
    expect((await cli('add', groupId, MEMBERS[2]!, '--wait')).code).toBe(0);
    const renamed = await cli('rename', groupId, 'CLI', 'friends', '--wait', '--id', `rename-${uid()}`, '--json');
    expect(renamed.json()).toMatchObject({ state: 'sent', type: 'modify_group' });
    expect((await cli('remove', groupId, MEMBERS[0]!, '--wait')).code).toBe(0);
    const status = await cli('status', renamed.json().command_id);
    expect(status.out).toContain(`command ${renamed.json().command_id}: sent ✓`);
    const group = (await cli('group', groupId, '--json')).json();
    expect(group).toMatchObject({ group_id: groupId, name: 'CLI friends' });
    expect(group.members).toContain(MEMBERS[2]);
    expect(group.members).not.toContain(MEMBERS[0]);
    expect((await cli('group', groupId)).out).toContain(`group ${groupId} "CLI friends"`);
  });

  it('rename says what it queued: the command id and "rename group", not its type', async () => {
    const id = `rename-words-${uid()}`;
    const queued = await cli('rename', groupId, 'Plans', '--id', id);
    expect(queued.code).toBe(0);
    expect(queued.out).toMatch(new RegExp(`^queued command ${id} \\(rename group\\) on the sandbox `));
    const waited = await cli('rename', groupId, 'CLI', 'friends', '--wait');
    expect(waited.code).toBe(0);
    expect(waited.out).toMatch(/^command \S+: sent ✓ \(rename group\)$/m);
    expect(`${queued.out}\n${waited.out}`).not.toContain('modify_group');
    // status knows only the type: a group change.
    expect((await cli('status', id, '--wait')).out).toContain(`command ${id}: sent ✓ (group change)`);
  });

  it("history shows a member's picture by its kept copy (the read API's media_archive_url)", async () => {
    const mediaUrl = h.sim.mediaUrlFor('cli-photo.png');
    const reply = await h.sim.memberReply(groupId, undefined, mediaUrl);
    await waitFor(
      async () => (await cli('history', groupId)).out.includes('[media (kept copy) '),
      15_000,
      'the kept copy in the history',
    );
    const line = (await cli('history', groupId)).out.split('\n').find((l) => l.includes('(kept copy)'))!;
    expect(line).toMatch(
      /\[media \(kept copy\) http:\/\/127\.0\.0\.1:\d+\/sendblue-groups-media\/media\/.*cli-photo\.png\?X-Amz-/,
    );
    expect(line).not.toContain(mediaUrl);
    const json = (await cli('history', groupId, '--json')).json();
    const item = json.messages.find((m: { message_handle: string }) => m.message_handle === reply.message_handle);
    expect(item).toMatchObject({ media_url: mediaUrl, media_archive_url: expect.stringContaining('cli-photo.png') });
    expect(json.messages.filter((m: { media_url: string | null }) => !m.media_url)).toEqual(
      expect.arrayContaining([expect.objectContaining({ media_archive_url: null })]),
    );
  });

  it('send "hello 👋": emoji go through the sandbox\'s queue and come back in the history', async () => {
    const result = await cli('send', '--group', groupId, 'hello 👋 שלום', '--wait');
    expect(result.code).toBe(0);
    await waitFor(
      async () => (await cli('history', groupId)).out.includes('hello 👋 שלום'),
      10_000,
      'the emoji in the history',
    );
  });

  it('a command_id reused for a different command: reported refused (exit 2), never sent', async () => {
    const id = `reused-${uid()}`;
    expect((await cli('send', '--group', groupId, 'the first use', '--id', id, '--wait')).code).toBe(0);
    const second = await cli(
      'send',
      '--group',
      groupId,
      'a different command',
      '--id',
      id,
      '--wait',
      '--timeout',
      '10',
    );
    expect(second.code).toBe(2);
    expect(second.out).toContain(`command ${id}: refused ✗`);
    expect(second.out).toMatch(/already used by a different command; this one was not sent/);
    expect(h.sim.sentMessages().filter((m) => m.content === 'a different command')).toEqual([]);
    // Repeating the very same command is fine: it reports the first one's state.
    expect(
      (await cli('send', '--group', groupId, 'the first use', '--id', id, '--wait', '--json')).json(),
    ).toMatchObject({ state: 'sent' });
  });

  it('a refused command: exit 2, listed on the DLQ with its reason and that a redrive will not help; redriven by its id, then sent', async () => {
    const id = `fail-${uid()}`;
    h.sim.injectFault({ kind: '400', route: 'send', count: 1 });
    const failed = await cli('send', '--group', groupId, 'This one fails first', '--id', id, '--wait');
    expect(failed.code).toBe(2);
    expect(failed.out).toContain(`command ${id}: failed ✗`);
    expect(failed.out).toMatch(/error {4}.*HTTP 400/);
    expect(failed.out).toMatch(
      /it is on the DLQ \(refused by Sendblue\): a redrive is refused again: fix and push a corrected command/,
    );
    // status of a failed command: exit 2, with or without --wait, as text or JSON.
    const status = await cli('status', id);
    expect(status.code).toBe(2);
    expect(status.out).toContain(`command ${id}: failed ✗ (group message)`);
    expect(status.err).toBe(`error: command ${id} failed (it is on the DLQ)`);
    const statusJson = await cli('status', id, '--json');
    expect(statusJson.code).toBe(2);
    expect(statusJson.json()).toMatchObject({ command_id: id, state: 'failed' }); // one JSON value, the view
    expect((await cli('status', id, '--wait')).code).toBe(2);

    const listed = await cli('dlq', '--json');
    expect(listed.code).toBe(0);
    expect(listed.json().messages).toEqual([
      expect.objectContaining({
        command_id: id,
        reason: expect.stringMatching(/HTTP 400/),
        message_group_id: groupId,
        kind: 'refused',
        redrive_helps: false,
      }),
    ]);
    expect((await cli('dlq')).out).toMatch(
      new RegExp(
        `✗ ${id} {2}failed .*\\n {4}reason: .*HTTP 400.*\\n {4}redrive will not help \\(refused by Sendblue\\)`,
      ),
    );

    // By default a redrive moves only what it can help: nothing here.
    const nothing = await cli('dlq', '--redrive');
    expect(nothing.code).toBe(0);
    expect(nothing.out).toMatch(/^nothing moved: a redrive helps none of the messages on the DLQ\nleft on the DLQ: 1 /);
    // The simulator refused it once only: forced by its id, it goes.
    const redriven = await cli('dlq', '--redrive', '--id', id, '--wait');
    expect(redriven.code).toBe(0);
    expect(redriven.out).toMatch(
      new RegExp(`^moved 1 command\\(s\\) back to the command queue:\n  ${id}  \\(was: .*HTTP 400.*\\)  now: sent ✓$`),
    );
    const sent = await cli('status', id, '--json');
    expect(sent.code).toBe(0);
    expect(sent.json()).toMatchObject({ command_id: id, state: 'sent', error: null });
    expect(h.sim.sentMessages().filter((m) => m.content === 'This one fails first')).toHaveLength(1);
    expect((await cli('dlq')).out).toBe('the DLQ is empty');
  });
});

describe('cli: events', () => {
  it('events lists what the sandbox published; --json gives last_seq to continue from', async () => {
    const id = `ev-${uid()}`;
    const sent = (
      await cli('send', '--to', `${MEMBERS[0]},${MEMBERS[2]}`, 'Events please', '--id', id, '--wait', '--json')
    ).json();
    await waitFor(
      async () => (await cli('events')).out.includes(`command ${id} sent`),
      10_000,
      'the Command Settled event',
    );
    const lines = (await cli('events')).out.split('\n');
    expect(lines.find((line) => line.includes(`command ${id} sent`))).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  Command Settled {9}${sent.group_id}  command ${id} sent$`,
      ),
    );
    // The simulator's last word on a send is DELIVERED: once its event is in, nothing more comes for it.
    await waitFor(
      async () =>
        (await cli('events', '--json'))
          .json()
          .events.some(
            (e: { 'detail-type': string; detail: { message_handle?: string; status?: string } }) =>
              e['detail-type'] === 'Message Status Changed' &&
              e.detail.message_handle === sent.message_handle &&
              e.detail.status === 'DELIVERED',
          ),
      10_000,
      'the DELIVERED event of the send',
    );
    const page = (await cli('events', '--json')).json();
    expect(page.last_seq).toBeGreaterThan(0);
    expect(
      page.events.some(
        (e: { 'detail-type': string; detail: { command_id?: string } }) =>
          e['detail-type'] === 'Command Settled' && e.detail.command_id === id,
      ),
    ).toBe(true);
    expect((await cli('events', '--after', String(page.last_seq), '--json')).json()).toEqual({
      events: [],
      last_seq: page.last_seq,
    });
  });

  it('events --follow prints events as they happen (--count stops it), as JSON lines with --json', async () => {
    const { last_seq } = (await cli('events', '--json')).json();
    const groupId = (await cli('send', '--to', `${MEMBERS[1]},${MEMBERS[2]}`, 'Reply to me', '--wait', '--json')).json()
      .group_id;
    // The simulator's last word on a send is DELIVERED: after its event, nothing more comes for it.
    type Envelope = { 'detail-type': string; detail: { status?: string } };
    await waitFor(
      async () =>
        (await cli('events', '--after', String(last_seq), '--json'))
          .json()
          .events.some(
            (e: Envelope) => e['detail-type'] === 'Message Status Changed' && e.detail.status === 'DELIVERED',
          ),
      10_000,
      'the send and its statuses',
    );
    const { last_seq: from } = (await cli('events', '--json')).json();
    const following = cli('events', '--follow', '--after', String(from), '--count', '1', '--json');
    await h.sim.memberReply(groupId, 'Live reply');
    const result = await following;
    expect(result.code).toBe(0);
    const event = JSON.parse(result.out);
    expect(event).toMatchObject({
      'detail-type': 'Group Message Received',
      source: 'sendblue-groups',
      detail: { group_id: groupId, content: 'Live reply' },
    });
    const human = await cli('events', '--follow', '--after', String(from), '--count', '1');
    expect(human.out).toMatch(new RegExp(`Group Message Received  ${groupId}  ← \\+1555123000\\d  Live reply$`));
  });

  it('Group Changed names the numbers with their one plus sign', async () => {
    const groupId = (await cli('send', '--to', `${MEMBERS[0]},${MEMBERS[1]}`, 'Who is in?', '--wait', '--json')).json()
      .group_id;
    expect((await cli('add', groupId, MEMBERS[2]!, '--wait')).code).toBe(0);
    const changed = (out: string) =>
      out.split('\n').filter((line) => line.includes('Group Changed') && line.includes(groupId));
    await waitFor(
      async () => changed((await cli('events')).out).some((line) => line.includes(MEMBERS[2]!)),
      10_000,
      'the Group Changed event of the add',
    );
    const lines = changed((await cli('events')).out);
    expect(lines.find((line) => line.includes(MEMBERS[2]!))).toMatch(
      new RegExp(`  ${groupId}  (added|members) [^;]*\\${MEMBERS[2]}`),
    );
    for (const line of lines) expect(line).not.toMatch(/\+\+|-\+/);
  });

  it('events: usage errors, and a deployed stack is pointed at its EventBridge bus', async () => {
    expect(await cli('events', '--count', '2')).toMatchObject({
      code: 1,
      err: 'error: events: --count goes with --follow',
    });
    expect(await cli('events', '--after', '-1')).toMatchObject({ code: 1 });
    const saved = env;
    env = {
      ...env,
      SENDBLUE_GROUPS_QUEUE_URL: 'https://sqs.example/q',
      SENDBLUE_GROUPS_DLQ_URL: 'https://sqs.example/d',
      SENDBLUE_GROUPS_API_URL: 'https://api.example',
      AWS_REGION: 'us-east-1',
    };
    try {
      const result = await cli('events', '--aws');
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/EventBridge bus \(output EventBusName\): subscribe with an EventBridge rule/);
    } finally {
      env = saved;
    }
  });
});

describe('cli: backfill', () => {
  it('runs the backfill now: a member reply whose webhook was lost shows up, and is counted as stored', async () => {
    const group = h.sim.createGroup([MEMBERS[0]!, MEMBERS[1]!]);
    h.sim.dropWebhooks({ drop: 1 });
    const reply = await h.sim.memberReply(group.group_id, 'written while the webhook was lost');
    expect(h.sim.callbacks.at(-1)!.dropped).toBe(true);
    expect((await cli('history', group.group_id)).code).toBe(2); // not stored: the group is unknown (404)

    const human = await cli('backfill');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(
      /^backfill of the sandbox .*: \d+ found, 1 stored \(missed by the webhooks\), \d+ already there$/m,
    );
    expect(human.out).toContain(`  ${LINE}  `);
    expect(human.out).toMatch(/unknown commands: 0 examined/);
    expect((await cli('history', group.group_id)).out).toContain('written while the webhook was lost');
    expect((await h.get(`/messages/${reply.message_handle}`)).status).toBe(200);

    const again = (await cli('backfill', '--json')).json();
    expect(again).toMatchObject({
      stored: 0,
      lines: [{ line: LINE, stoppedBy: 'done', stored: 0 }],
      sweep: { examined: 0 },
    });
  });

  it('exits 2 when Sendblue cannot be read, with the reason', async () => {
    h.sim.injectFault({ kind: '500', route: 'read', count: 5 });
    try {
      const result = await cli('backfill');
      expect(result.code).toBe(2);
      expect(result.out).toContain('stopped on an error');
      expect(result.err).toMatch(
        /^error: the backfill of \+\d+ stopped on an error: Sendblue refused to list messages: HTTP 500/,
      );
    } finally {
      h.sim.clearFaults();
    }
  });
});

describe('cli: long texts (--content-file, standard input)', () => {
  let dir: string;
  let groupId: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-content-'));
    groupId = (await cli('send', '--to', `${MEMBERS[0]},${MEMBERS[1]}`, 'Long texts here', '--wait', '--json')).json()
      .group_id;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, text);
    return at;
  };
  /** A text of exactly `chars` characters (code points, as Sendblue counts), emoji and accents included. */
  const textOf = (chars: number) =>
    Array.from(`Long: é👋 ${'lorem ipsum '.repeat(Math.ceil(chars / 12))}`)
      .slice(0, chars)
      .join('');

  it('--content-file: the longest text Sendblue takes (18,995 characters) is sent whole; history cuts it, --full shows it', async () => {
    const text = textOf(18_995);
    expect(Array.from(text)).toHaveLength(18_995);
    const sent = await cli('send', '--group', groupId, '--content-file', file('long.txt', `${text}\n`), '--wait');
    expect(sent.code, sent.err).toBe(0);
    expect(h.sim.sentMessages().filter((m) => m.content === text)).toHaveLength(1); // the final line end dropped

    const history = await cli('history', groupId, '--limit', '5');
    const line = history.out.split('\n').find((l) => l.includes('Long: é👋'))!;
    expect(line).toMatch(/… \[\+18,795 characters\] {2}(✓|…)/);
    expect(line.length).toBeLessThan(400);
    expect(history.out).toContain(
      `long texts are cut at 200 characters; whole: SANDBOX_PORT=${env.SANDBOX_PORT} SANDBOX_SQS_PORT=${env.SANDBOX_SQS_PORT} npm run cli -- history ${groupId} --limit 5 --full`,
    );
    expect((await cli('history', groupId, '--limit', '5', '--full')).out).toContain(text);
    const json = (await cli('history', groupId, '--limit', '5', '--json')).json();
    expect(json.messages.map((m: { content: string }) => m.content)).toContain(text);
  });

  it("a text over Sendblue's limit is refused by the command's own validation: exit 1, nothing queued", async () => {
    const before = h.sim.requests.length;
    const over = await cli(
      'send',
      '--group',
      groupId,
      '--content-file',
      file('over.txt', textOf(18_996)),
      '--id',
      'never-queued-long',
    );
    expect(over.code).toBe(1);
    expect(over.err).toBe('error: invalid command: content must be under 18996 characters');
    await h.sandbox.poller.drained();
    expect(h.sim.requests.length).toBe(before);
    expect((await h.command('never-queued-long')).status).toBe(404);
  });

  it('standard input: the text "-" alone, or --content-file -', async () => {
    const piped = await cliWith(
      { stdin: Readable.from([Buffer.from('From a pipe, '), Buffer.from('in two chunks\n')]) },
      'send',
      '--group',
      groupId,
      '-',
      '--wait',
    );
    expect(piped.code, piped.err).toBe(0);
    expect(h.sim.sentMessages().filter((m) => m.content === 'From a pipe, in two chunks')).toHaveLength(1);
    const viaOption = await cliWith(
      { stdin: Readable.from(['Über die Pipe\r\n']) },
      'send',
      '--group',
      groupId,
      '--content-file',
      '-',
      '--wait',
    );
    expect(viaOption.code, viaOption.err).toBe(0);
    expect(h.sim.sentMessages().filter((m) => m.content === 'Über die Pipe')).toHaveLength(1);
    // A dash among other words is just a dash.
    expect((await cli('send', '--group', groupId, 'a', '-', 'b', '--wait')).code).toBe(0);
    expect(h.sim.sentMessages().filter((m) => m.content === 'a - b')).toHaveLength(1);
  });

  it('usage errors (exit 1, nothing queued): no such file, text twice, empty, not UTF-8, endless input', async () => {
    const before = h.sim.requests.length;
    const cases: Array<[Awaited<ReturnType<typeof cli>>, string]> = [
      [
        await cli('send', '--group', groupId, '--content-file', path.join(dir, 'nope.txt')),
        `error: send: cannot read --content-file ${path.join(dir, 'nope.txt')}: no such file`,
      ],
      [
        await cli('send', '--group', groupId, 'words', '--content-file', file('both.txt', 'x')),
        'error: send: the text comes from --content-file or from the words after the options, not both (see: npm run cli -- send --help)',
      ],
      [
        await cli('send', '--group', groupId, '--content-file', file('empty.txt', '\n')),
        `error: send: ${path.join(dir, 'empty.txt')} holds no text: give one, or --media URL (see: npm run cli -- send --help)`,
      ],
      [
        await cliWith({ stdin: Readable.from([Buffer.from([0xc3, 0x28])]) }, 'send', '--group', groupId, '-'),
        'error: send: standard input is not UTF-8 text',
      ],
      [
        await cliWith({ stdin: Readable.from(endless()) }, 'send', '--group', groupId, '-'),
        "error: send: the text in standard input is too long: content must be under 18996 characters (Sendblue's limit)",
      ],
      [await cli('send', '--group', groupId, '-'), 'error: send: there is no standard input to read the text from'],
    ];
    for (const [result, message] of cases) {
      expect(result.code, message).toBe(1);
      expect(result.err).toBe(message);
    }
    await h.sandbox.poller.drained();
    expect(h.sim.requests.length).toBe(before);
  });

  it('bin/cli.ts reads a piped text from its real standard input', async () => {
    const running = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bin/cli.ts', 'send', '--group', groupId, '--content-file', '-', '--wait'],
      { cwd: ROOT, env: { ...process.env, ...env } },
    );
    running.child.stdin!.end('Piped into the real CLI\n');
    const { stdout } = await running;
    expect(stdout).toMatch(/^command \S+: sent ✓ \(group message\)$/m);
    expect(h.sim.sentMessages().filter((m) => m.content === 'Piped into the real CLI')).toHaveLength(1);
  });
});

/** Text for ever, in 64 KB chunks: reading it must stop by itself. */
function* endless() {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  for (;;) yield chunk;
}

describe('cli: errors and help', () => {
  it.each([
    [[], /Usage: npm run cli/],
    [['frobnicate'], /^error: unknown command "frobnicate"; commands: send, .* \(see: npm run cli -- --help\)$/m],
    [['sned', '--to', MEMBERS[0]!, 'x'], /^error: unknown command "sned" \(did you mean send\?\)/m],
    [['send', 'hi'], /give --to NUMBERS/],
    [['send', '--to', '+1555', 'hi', '--id', 'never-queued-1'], /invalid command: numbers must be E.164/],
    [['rename', 'g', ' ', '--json', '--id', 'never-queued-2'], /name is required for rename/],
    [
      ['send', '--to', MEMBERS[0]!, 'x', '--wait', '--timeout', 'abc', '--id', 'never-queued-3'],
      /--timeout must be a number/,
    ],
    [
      ['send', '--to', MEMBERS[0]!, 'x', '--bogus'],
      /^error: unknown option '--bogus' for send \(see: npm run cli -- send --help\)$/m,
    ],
    [
      ['send', '--tp', MEMBERS[0]!, 'x', '--id', 'never-queued-4'],
      /^error: unknown option '--tp' for send \(did you mean --to\?\) \(see: npm run cli -- send --help\)$/m,
    ],
    [['send', '--group'], /^error: Option '--group <value>' argument missing \(see: npm run cli -- send --help\)$/m],
    [['status'], /^error: status: missing <command_id> \(see: npm run cli -- status --help\)$/m],
    [['history', 'g', '--limit', '500'], /--limit must be a whole number from 1 to 100/],
  ])('%j: exit 1, nothing queued', async (argv, message) => {
    const before = h.sim.requests.length;
    const result = await cli(...argv);
    expect(result.code).toBe(1);
    expect(`${result.out}\n${result.err}`).toMatch(message);
    await h.sandbox.poller.drained();
    expect(h.sim.requests.length).toBe(before);
    // An invalid command that reached the queue would be in the ledger (failed): it must not be.
    const id = argv[argv.indexOf('--id') + 1];
    if (argv.includes('--id')) expect((await h.command(id!)).status).toBe(404);
  });

  it('--json errors are JSON only', async () => {
    const result = await cli('send', '--to', '+1555', 'hi', '--json');
    expect(result.err).toBe('');
    expect(result.json()).toEqual({ error: expect.stringContaining('numbers must be E.164'), exit_code: 1 });
  });

  it('remote failures: exit 2 (an unknown id, a sandbox that is not running)', async () => {
    const unknown = await cli('status', 'no-such-command');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('error: /commands/no-such-command answered 404: command no-such-command not found');
    const nothingThere = String(await findFreePort());
    env = { ...env, SANDBOX_PORT: nothingThere, SANDBOX_SQS_PORT: nothingThere };
    try {
      const down = await cli('group', 'g');
      expect(down.code).toBe(2);
      // The URL that could not be reached is named.
      expect(down.err).toBe(
        `error: could not reach the sandbox at http://127.0.0.1:${nothingThere}/groups/g: ECONNREFUSED (is \`npm start\` running?)`,
      );
      const send = await cli('send', '--to', MEMBERS[0]!, 'x');
      expect(send.code).toBe(2);
      expect(send.err).toContain(
        `could not queue the command on the sandbox at http://127.0.0.1:${nothingThere}/000000000000/sendblue-group-commands.fifo: ECONNREFUSED`,
      );
      const dlq = await cli('dlq');
      expect(dlq.code).toBe(2);
      expect(dlq.err).toBe(
        `error: could not read the DLQ of the sandbox at http://127.0.0.1:${nothingThere}/000000000000/sendblue-group-commands-dlq.fifo: ECONNREFUSED (is \`npm start\` running?)`,
      );
    } finally {
      env = { SANDBOX_PORT: new URL(h.sandbox.urls.api).port, SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port };
    }
  });

  it('a bad SANDBOX_PORT is a usage error (exit 1), named', async () => {
    const saved = env;
    env = { ...env, SANDBOX_PORT: 'abc' };
    try {
      const result = await cli('group', 'g');
      expect(result.code).toBe(1);
      expect(result.err).toBe('error: SANDBOX_PORT must be a port number from 1 to 65535 (got "abc")');
    } finally {
      env = saved;
    }
  });

  it('every command has --help (exit 0)', async () => {
    for (const command of COMMANDS) {
      const result = await cli(command.name, '--help');
      expect(result.code).toBe(0);
      expect(result.out).toMatch(new RegExp(`^Usage: cli ${command.name} `));
      expect(result.out).toContain('--json');
    }
    expect((await cli('--help')).code).toBe(0);
  });

  it('bin/cli.ts as a process: exit codes and output streams', async () => {
    // Asynchronously: the sandbox it talks to runs in this very process.
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/cli.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
      }).then(
        (r) => ({ status: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          status: e.code,
          stdout: e.stdout,
          stderr: e.stderr,
        }),
      );
    const bad = await run('send', '--to', '+1555', 'hi');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('error: invalid command: numbers must be E.164 (such as +15551230001): "+1555"');
    const ok = await run('dlq', '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ count: 0, messages: [] });
  });
});

describe('cli: react', () => {
  /** A member's message in a new group, stored through our receive webhook. */
  async function memberMessage(text: string) {
    const group = h.sim.createGroup(MEMBERS);
    const message = await h.sim.memberReply(group.group_id, { content: text, from: MEMBERS[0] });
    await h.sim.idle();
    return { groupId: group.group_id, handle: message.message_handle };
  }

  it("react --wait: sent once, queued in the message's group; history shows ours and a member's tapback", async () => {
    const { groupId, handle } = await memberMessage('Pizza tonight?');
    const result = await cli('react', handle, 'like', '--wait', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      state: 'sent',
      type: 'send_reaction',
      group_id: groupId,
      message_handle: handle,
    });
    expect(h.sim.requests.filter((r) => r.path === '/api/send-reaction')).toHaveLength(1);
    await h.sim.memberReacts(handle, 'love', { from: MEMBERS[1], partIndex: 1 });
    await h.sim.idle();
    const line = (await cli('history', groupId)).out.split('\n').find((l) => l.includes('Pizza tonight?'));
    expect(line).toMatch(new RegExp(`Pizza tonight\\?  \\[👍 us, ❤️ \\${MEMBERS[1]} part 1\\]$`));
    const json = (await cli('history', groupId, '--json')).json();
    expect(json.messages[0].reactions.map((r: { reaction: string }) => r.reaction)).toEqual(['like', 'love']);
  });

  it("queues under the message's group when the read API knows it, else under the handle (no --wait)", async () => {
    const { groupId, handle } = await memberMessage('known');
    const known = (await cli('react', handle, 'laugh', '--part', '0', '--json')).json();
    expect(known).toMatchObject({ state: 'queued', message_group_id: groupId });
    const unknown = (await cli('react', 'not-stored-here', 'laugh', '--json')).json();
    expect(unknown).toMatchObject({ state: 'queued', message_group_id: 'not-stored-here' });
    await h.sandbox.poller.drained();
    await h.deadLetters(); // the second one is refused by Sendblue (404): taken off the DLQ here
  });

  it('usage errors (exit 1, nothing queued): a missing argument, an unknown reaction, a bad --part', async () => {
    const before = h.sim.requests.length;
    const missing = await cli('react', 'm-1');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('react: missing <reaction>');
    const unknown = await cli('react', 'm-1', 'heart');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('the reaction must be one of love, like, dislike, laugh, emphasize, question');
    for (const part of ['-1', '1.5', 'one']) {
      const bad = await cli('react', 'm-1', 'love', `--part=${part}`);
      expect(bad.code, part).toBe(1);
      expect(bad.err, part).toContain('--part must be a whole number');
    }
    const over = await cli('react', 'm-1', 'love', '--part', '1001');
    expect(over.code).toBe(1);
    expect(over.err).toContain('invalid command: part_index must be a whole number from 0 to 1000');
    expect(h.sim.requests.length).toBe(before);
  });

  it('an unclear call: exit 2, unknown for good with the reason, never sent again', async () => {
    const { handle } = await memberMessage('cut me');
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'react' });
    const id = `react-cut-${uid()}`;
    const result = await cli('react', handle, 'emphasize', '--id', id, '--wait');
    expect(result.code).toBe(2);
    expect(result.out).toContain(`command ${id}: unknown ? (for good: not repeated) (tapback)`);
    expect(result.out).toMatch(/error {4}.*may have been sent; not repeated/);
    expect(result.err).toContain(`command ${id} may have been sent; it is not repeated`);
    // status says the same with its exit code: not confirmed sent (2), with or without --wait.
    const status = await cli('status', id, '--wait', '--json');
    expect(status.code).toBe(2);
    expect(status.json()).toMatchObject({ state: 'unknown', next_attempt_at: null });
    expect((await cli('status', id)).code).toBe(2);
    expect(
      h.sim.requests.filter(
        (r) => r.path === '/api/send-reaction' && (r.body as { message_handle: string }).message_handle === handle,
      ),
    ).toHaveLength(1);
  });
});
