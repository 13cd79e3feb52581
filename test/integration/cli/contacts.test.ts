/** `cli contacts` against a sandbox: one contact, the opted-out list, and the errors a user sees. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { LINE, startHarness, type Harness } from '../../support/sandbox-harness.js';

let h: Harness;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  h = await startHarness();
  env = { SANDBOX_PORT: new URL(h.sandbox.urls.api).port, SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port };
});
afterAll(() => h?.stop());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env });
  return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
}

const MEMBER = '+15551239901';
const OTHER = '+15551239902';

describe('cli contacts', () => {
  it('shows a contact the stack sent to, then the opt-out a STOP made, and lists it under --opted-out', async () => {
    expect((await cli('contacts', '--opted-out')).out).toBe('no contact has opted out');
    const sent = await cli('send', '--to', `${MEMBER},${OTHER}`, 'Hello', '--wait', '--json');
    expect(sent.code).toBe(0);
    const groupId = sent.json().group_id as string;
    // The contacts poller records the recipients from the stream a moment later.
    await expect.poll(async () => (await cli('contacts', MEMBER, '--json')).code, { timeout: 10_000 }).toBe(0);
    const seen = (await cli('contacts', MEMBER, '--json')).json();
    expect(seen).toMatchObject({ number: MEMBER, opted_out: false, contacted: [{ line: LINE }] });

    await h.sim.memberReply(groupId, { content: 'unsubscribe', from: MEMBER });
    await expect
      .poll(async () => (await cli('contacts', MEMBER, '--json')).json().opted_out, { timeout: 10_000 })
      .toBe(true);
    const text = (await cli('contacts', MEMBER)).out;
    expect(text).toMatch(new RegExp(`^contact \\${MEMBER}  OPTED OUT\\n`));
    expect(text).toMatch(/\n {2}opted out {5}.+ \(keyword\)/);
    expect(text).toContain(`contacted     ${LINE} since`);
    const listed = await cli('contacts', '--opted-out', '--json');
    expect(listed.json().contacts).toEqual([{ number: MEMBER, opted_out_since: expect.any(String) }]);
    expect((await cli('contacts', '--opted-out')).out).toMatch(new RegExp(`^\\${MEMBER}  opted out `));
  });

  it('a number never seen, or not E.164, is an error the user can read (exit 2 and 1)', async () => {
    const unknown = await cli('contacts', '+15551239999');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('contact +15551239999 not found');
    const bad = await cli('contacts', '15551239999');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('must be an E.164 number');
    expect((await cli('contacts')).code).toBe(1);
    expect((await cli('contacts', '--opted-out', MEMBER)).code).toBe(1);
  });
});
