/**
 * The scripted cases of the exactly-once argument (docs/sending.md "Exactly once"): once a call may have
 * reached Sendblue, nothing is called again until a check in Sendblue has succeeded, however the
 * checks fail and however busy the line is; an accepted command never ends failed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LINE, MEMBERS, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const SEND = '/api/send-group-message';
const MODIFY = '/api/modify-group';
const LIST = '/api/v2/messages';
const uid = () => Math.random().toString(36).slice(2, 10);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sender: { maxAttempts: 5 } });
});
afterAll(() => h?.stop());
beforeEach(() => h.sim.clearFaults());

const copies = (content: string) => h.sim.sentMessages().filter((m) => m.content === content);

describe('an unclear send stays unclear until Sendblue has been asked successfully', () => {
  it('accepted and cut, then the check answers 500, then 429: found, never sent blind', async () => {
    const id = `check-fails-${uid()}`;
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'send' });
    h.sim.injectFault({ kind: '500', route: 'read' });
    h.sim.injectFault({ kind: '429', route: 'read' });
    const sends = h.calls(SEND);
    const lists = h.calls(LIST);
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    expect(h.calls(SEND)).toBe(sends + 1);
    expect(h.calls(LIST)).toBe(lists + 3);
    expect(copies(id)).toHaveLength(1);
    expect(done.message_handle).toBe(copies(id)[0]!.message_handle);
  });

  it('while the check keeps failing the command shows unknown, and says so', async () => {
    const id = `still-unknown-${uid()}`;
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'send' });
    h.sim.injectFault({ kind: '500', route: 'read', count: 3 });
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const waiting = await h.waitForCommand(id, ['unknown']);
    expect(waiting.error).toMatch(/Sendblue may have it/);
    expect((await h.waitForCommand(id, ['sent', 'failed'])).state).toBe('sent');
    expect(copies(id)).toHaveLength(1);
  });

  it('3 × 429, then accepted and cut, then a 500 on the check: sent, never failed', async () => {
    const id = `late-check-${uid()}`;
    h.sim.injectFault({ kind: '429', route: 'send', count: 3 });
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'send' });
    h.sim.injectFault({ kind: '500', route: 'read' });
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    expect((await h.waitForCommand(id, ['sent', 'failed'], 20_000)).state).toBe('sent');
    expect(copies(id)).toHaveLength(1);
    expect(await h.deadLetters()).toEqual([]);
  });

  it('4 × 500, then accepted and cut: found and sent, none of it counted as a failure, not left unknown on the DLQ', async () => {
    const id = `last-attempt-${uid()}`;
    h.sim.injectFault({ kind: '500', route: 'send', count: 4 });
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'send' });
    await h.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
    const done = await h.waitForCommand(id, ['sent', 'failed'], 20_000);
    // 5xx and cut answers are failures of the way to Sendblue: bounded by time, not counted.
    expect(done).toMatchObject({ state: 'sent', failures: 0 });
    expect(copies(id)).toHaveLength(1);
    expect(
      h.sim.requests.filter((r) => r.path === SEND && (r.body as { content?: string }).content === id),
    ).toHaveLength(5);
    expect((await h.deadLetters()).map((letter) => letter.attributes.command_id)).not.toContain(id);
  });
});

describe('an unclear group change', () => {
  it('remove applied, answer cut, the group read fails: checked again, found applied, sent (not refused by the 4-member rule)', async () => {
    const group = h.sim.createGroup([...MEMBERS, '+15551230004']);
    const id = `remove-${uid()}`;
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'modify' });
    h.sim.injectFault({ kind: '500', route: 'read' });
    await h.push({
      type: 'modify_group',
      command_id: id,
      group_id: group.group_id,
      modify_type: 'remove_recipient',
      number: MEMBERS[0],
    });
    const done = await h.waitForCommand(id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    expect(
      h.sim.requests.filter((r) => r.path === MODIFY && (r.body as { group_id?: string }).group_id === group.group_id),
    ).toHaveLength(1);
    expect(h.sim.group(group.group_id)!.members).not.toContain(MEMBERS[0]);
  });
});

describe('the check finds the message however busy the line is', () => {
  it('520 other messages on the line since the first call: every page is read, nothing is sent twice', async () => {
    const busy = await startHarness({ sender: { settleDelaySeconds: 4 }, simulator: { lineRateLimit: false } });
    try {
      const id = `busy-line-${uid()}`;
      // The first call is cut (unclear); the next one is accepted, then cut.
      busy.sim.injectFault({ kind: 'cut', route: 'send' });
      await busy.push({ type: 'send_group_message', command_id: id, numbers: MEMBERS, content: id });
      await busy.waitForCommand(id, ['unknown']);
      // Before the next attempt, 520 other messages go out on the same line (another app, say):
      // ours lands behind them in the list since the first call.
      const others = busy.sim.createGroup(['+15559990001', '+15559990002']);
      await Promise.all(
        Array.from({ length: 520 }, (_, i) =>
          fetch(`${busy.sandbox.urls.sendblue}${SEND}`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'sb-api-key-id': 'sandbox-key',
              'sb-api-secret-key': 'sandbox-secret',
            },
            body: JSON.stringify({ group_id: others.group_id, content: `other ${i}`, from_number: LINE }),
          }).then((response) => expect(response.status).toBe(200)),
        ),
      );
      busy.sim.injectFault({ kind: 'accept-then-cut', route: 'send' });
      const done = await busy.waitForCommand(id, ['sent', 'failed'], 20_000);
      expect(done.state).toBe('sent');
      expect(busy.sim.sentMessages().filter((m) => m.content === id)).toHaveLength(1);
      const offsets = busy.sim.requests.filter((r) => r.path === LIST).map((r) => Number(r.query.offset));
      // Two checks (before the second call, and after it was cut), each through 6 pages of 100.
      expect(offsets).toEqual([0, 100, 200, 300, 400, 500, 0, 100, 200, 300, 400, 500]);
      expect(
        busy.sim.requests.filter((r) => r.path === SEND && (r.body as { content?: string }).content === id),
      ).toHaveLength(2);
    } finally {
      await busy.stop();
    }
  });

  it('a send to a known group asks only about that group', async () => {
    const group = h.sim.createGroup(MEMBERS);
    const id = `narrow-${uid()}`;
    h.sim.injectFault({ kind: 'accept-then-cut', route: 'send' });
    const before = h.sim.requests.length;
    await h.push({ type: 'send_group_message', command_id: id, group_id: group.group_id, content: id });
    expect((await h.waitForCommand(id, ['sent'])).state).toBe('sent');
    const checks = h.sim.requests.slice(before).filter((r) => r.path === LIST);
    expect(checks.map((r) => r.query.group_id)).toEqual([group.group_id]);
  });
});
