/**
 * docs/walkthrough.md §1 as a program, against a running sandbox (either mode): the CLI sends a
 * group message and it is delivered; a member replies; add, rename and remove change the group;
 * the events of all that are in the event log; a member's picture is copied and its link serves
 * the same bytes; a refused send lands on the DLQ and a redrive by its id sends it; the backfill runs; a
 * webhook with a wrong secret is refused. Every step checks its outcome and throws WalkthroughError
 * naming the step. The walkthrough test runs it in both modes; `npm run verify:deploy` runs it as
 * the bundles' test traffic for the IAM check.
 */
import { randomUUID } from 'node:crypto';
import { runCli } from '../../cli/main.js';

export interface WalkthroughTarget {
  /** The sandbox API (http://127.0.0.1:<SANDBOX_PORT>). */
  api: string;
  /** The Sendblue simulator. */
  simulator: string;
  /** The environment the CLI runs with (the sandbox's ports). */
  cliEnv: NodeJS.ProcessEnv;
}

export interface WalkthroughReport {
  groupId: string;
  /** Each step and how long it took. */
  steps: Array<{ step: string; ms: number }>;
  /** The detail-types seen in the event log for the group. */
  eventTypes: string[];
}

export class WalkthroughError extends Error {
  constructor(
    readonly step: string,
    detail: string,
  ) {
    super(`walkthrough step "${step}": ${detail}`);
    this.name = 'WalkthroughError';
  }
}

const MEMBERS = ['+15551230001', '+15551230002', '+15551230003'];
const WAIT_MS = 30_000;

export async function runWalkthrough(
  target: WalkthroughTarget,
  log: (line: string) => void = () => {},
): Promise<WalkthroughReport> {
  const steps: WalkthroughReport['steps'] = [];
  const uid = randomUUID().slice(0, 8);
  const step = async <T>(name: string, work: (fail: (detail: string) => never) => Promise<T>): Promise<T> => {
    const started = Date.now();
    const fail = (detail: string): never => {
      throw new WalkthroughError(name, detail);
    };
    const result = await work(fail);
    steps.push({ step: name, ms: Date.now() - started });
    log(`  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: target.cliEnv,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const cliJson = async (fail: (detail: string) => never, ...argv: string[]) => {
    const result = await cli(...argv, '--json');
    if (result.code !== 0) fail(`\`cli ${argv.join(' ')}\` exited ${result.code}: ${result.err || result.out}`);
    return JSON.parse(result.out);
  };
  const getJson = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const simulator = async (path: string, body: unknown) => {
    const response = await fetch(`${target.simulator}/__simulator/${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new WalkthroughError(path, `the simulator answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { message?: { message_handle?: string } };
  };
  const messages = async (groupId: string) =>
    ((await getJson(`${target.api}/groups/${encodeURIComponent(groupId)}/messages?limit=100`)).body.messages ??
      []) as Array<{ content?: string; status?: string; direction?: string }>;

  const groupId = await step('send a group message (--wait)', async (fail) => {
    const sent = await cliJson(fail, 'send', '--to', `${MEMBERS[0]},${MEMBERS[1]}`, `Hello group ${uid}`, '--wait');
    if (sent.state !== 'sent' || typeof sent.group_id !== 'string') fail(`not sent: ${JSON.stringify(sent)}`);
    return sent.group_id as string;
  });

  await step('history shows it DELIVERED', async (fail) => {
    await until(fail, 'DELIVERED', async () =>
      (await messages(groupId)).some((m) => m.content === `Hello group ${uid}` && m.status === 'DELIVERED'),
    );
    const history = await cli('history', groupId);
    if (!history.out.includes('✓✓ DELIVERED')) fail(`the CLI's history does not show it: ${history.out}`);
  });

  await step('a member replies', async (fail) => {
    await simulator('reply', { group_id: groupId, content: `Sounds good ${uid}` });
    await until(fail, 'the reply in the history', async () =>
      (await messages(groupId)).some((m) => m.content === `Sounds good ${uid}` && m.direction === 'inbound'),
    );
  });

  await step('add, rename and remove change the group', async (fail) => {
    for (const argv of [
      ['add', groupId, MEMBERS[2]!],
      ['rename', groupId, 'Weekend plans'],
      ['remove', groupId, MEMBERS[0]!],
    ]) {
      const done = await cliJson(fail, ...argv, '--wait');
      if (done.state !== 'sent') fail(`\`cli ${argv.join(' ')}\` ended ${done.state}: ${done.error}`);
    }
    const group = await cliJson(fail, 'group', groupId);
    if (group.name !== 'Weekend plans' || !group.members.includes(MEMBERS[2]) || group.members.includes(MEMBERS[0])) {
      fail(`the group is ${JSON.stringify(group)}`);
    }
  });

  const mediaHandle = await step(
    'a member sends a picture; its copy is linked and serves the same bytes',
    async (fail) => {
      const original = `${target.simulator}/__simulator/media/walkthrough-${uid}.png`;
      const { message } = await simulator('reply', { group_id: groupId, media_url: original });
      const handle = String(message?.message_handle);
      let link = '';
      await until(fail, 'media_archive_url', async () => {
        const found = await getJson(`${target.api}/messages/${encodeURIComponent(handle)}`);
        link = typeof found.body.media_archive_url === 'string' ? found.body.media_archive_url : '';
        return link !== '';
      });
      const [copy, source] = await Promise.all([fetch(link), fetch(original)]);
      if (copy.status !== 200) fail(`the link answered ${copy.status}: ${link}`);
      const [copied, expected] = await Promise.all([copy.arrayBuffer(), source.arrayBuffer()]);
      if (!Buffer.from(copied).equals(Buffer.from(expected))) fail('the copy differs from the original');
      return handle;
    },
  );

  const eventTypes = await step('the event log has it all', async (fail) => {
    const wanted = ['Command Settled', 'Message Status Changed', 'Group Message Received', 'Group Changed'];
    let seen: string[] = [];
    await until(fail, `events ${wanted.join(', ')}`, async () => {
      const { events } = await cliJson(fail, 'events');
      const ours = (events as Array<{ 'detail-type': string; detail: Record<string, unknown> }>).filter(
        (event) => event.detail.group_id === groupId,
      );
      seen = [...new Set(ours.map((event) => event['detail-type']))];
      return (
        wanted.every((type) => seen.includes(type)) && ours.some((event) => event.detail.message_handle === mediaHandle)
      );
    });
    return seen;
  });

  await step(
    'a refused send lands on the DLQ, which says a redrive will not help; a redrive by its id sends it',
    async (fail) => {
      const id = `try-${uid}`;
      await simulator('faults', { kind: '400', count: 1, route: 'send' });
      const failed = await cli('send', '--group', groupId, 'Try me', '--id', id, '--wait');
      if (failed.code !== 2 || !failed.out.includes('failed'))
        fail(`expected exit 2 and failed, got ${failed.code}: ${failed.out}`);
      // The sender writes `failed` to the ledger before it moves the command to the DLQ
      // (docs/sending.md), so `--wait` can end a moment before the DLQ has it.
      type Letter = { command_id: string; redrive_helps: boolean };
      let letter: Letter | undefined;
      await until(fail, `${id} on the DLQ`, async () => {
        const dlq = await cliJson(fail, 'dlq');
        letter = (dlq.messages as Letter[]).find((m) => m.command_id === id);
        return letter !== undefined;
      });
      if (letter!.redrive_helps) fail(`the DLQ says a redrive helps a refused command: ${JSON.stringify(letter)}`);
      // The simulator refused it once only: redriven by its id, it goes.
      const redriven = await cli('dlq', '--redrive', '--id', id, '--wait');
      if (redriven.code !== 0) fail(`the redrive exited ${redriven.code}: ${redriven.err || redriven.out}`);
      const status = await cliJson(fail, 'status', id);
      if (status.state !== 'sent') fail(`after the redrive ${id} is ${status.state}`);
    },
  );

  await step('a throttled send (429) waits and is sent once', async (fail) => {
    const content = `Throttled ${uid}`;
    await simulator('faults', { kind: '429', count: 1, route: 'send' });
    const sent = await cliJson(fail, 'send', '--group', groupId, content, '--wait', '--timeout', '60');
    if (sent.state !== 'sent') fail(`ended ${sent.state}: ${sent.error}`);
    const { requests } = (await (await fetch(`${target.simulator}/__simulator/requests`)).json()) as {
      requests: Array<{ path: string; status?: number; body?: { content?: string } }>;
    };
    const accepted = requests.filter((r) => r.body?.content === content && r.status === 200);
    if (accepted.length !== 1) fail(`Sendblue accepted it ${accepted.length} times`);
  });

  await step('the backfill runs', async (fail) => {
    const report = await cliJson(fail, 'backfill');
    if (!Array.isArray(report.lines) || report.lines.some((line: { error?: string }) => line.error)) {
      fail(`report: ${JSON.stringify(report)}`);
    }
  });

  await step('a webhook with a wrong secret is refused; /health answers', async (fail) => {
    const refused = await fetch(`${target.api}/webhooks/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sb-signing-secret': 'not-the-secret' },
      body: '{}',
    });
    if (refused.status !== 401) fail(`the webhook answered ${refused.status}`);
    const health = await getJson(`${target.api}/health`);
    if (health.status !== 200 || health.body.ok !== true) fail(`/health answered ${health.status}`);
  });

  return { groupId, steps, eventTypes };
}

async function until(fail: (detail: string) => never, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`no ${what} within ${WAIT_MS / 1000} s`);
}
