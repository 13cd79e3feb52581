/**
 * An operator's set_contact_opt (docs/sending.md "Contact opt-outs"): the plain rules
 * (sending/contact-opt.ts), then the real command processor in memory (test/support/in-memory/
 * sender-loop.ts: a simulated SQS FIFO queue and Lambda event source on a virtual clock, the
 * in-memory table). The same story over DynamoDB Local, the SQS emulator and the simulator:
 * test/integration/cli/contacts-opt.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SetContactOptCommand } from '../../../../lambdas/contract/commands.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import {
  COMMAND_OPT_SOURCE,
  decideContactOpt,
  queuedAtOf,
  staleNote,
} from '../../../../lambdas/sending/contact-opt.js';
import { LOOP_LINE, type SenderLoop, startSenderLoop } from '../../../support/in-memory/sender-loop.js';

const NUMBER = '+15551237001';
const T0 = '2026-12-01T12:00:00.000Z';
const T1 = '2026-12-01T12:00:05.000Z';
const command = (optedOut: boolean, number = NUMBER): SetContactOptCommand => ({
  type: 'set_contact_opt',
  number,
  opted_out: optedOut,
});

describe('the rules (contact-opt.ts)', () => {
  it('writes the opt change dated when the command was queued, by "command"', () => {
    expect(decideContactOpt(command(true), { ourLines: new Set([LOOP_LINE]), queuedAt: T0 })).toEqual({
      action: 'write',
      change: { number: NUMBER, at: T0, optedOut: true, by: 'command' },
    });
    expect(COMMAND_OPT_SOURCE).toBe('command');
  });

  it('refuses one of our lines, either way, with a reason that says nothing was written', () => {
    const ourLines = new Set([LOOP_LINE, '+15550002000']);
    for (const line of ourLines)
      for (const optedOut of [true, false]) {
        expect(decideContactOpt(command(optedOut, line), { ourLines, queuedAt: T0 })).toEqual({
          action: 'refuse',
          reason: `refused: ${line} is one of our Sendblue lines, not a contact; a line cannot be opted ${optedOut ? 'out' : 'in'} (nothing was written)`,
        });
      }
  });

  it("takes the time from SQS's SentTimestamp (epoch ms), and the fallback only when it is missing or not a time", () => {
    expect(queuedAtOf(String(Date.parse(T0)), T1)).toBe(T0);
    for (const odd of [undefined, '', 'abc', '-5', '0', '1.5', '1e400'])
      expect(queuedAtOf(odd, T1), String(odd)).toBe(T1);
  });

  it('after a write that changed nothing: silent for the same evidence (a redelivery), a note for newer evidence', () => {
    const change = { number: NUMBER, at: T0, optedOut: true, by: 'command' as const };
    const record = (extra: Record<string, unknown>) => ({ number: NUMBER, first_seen: T0, last_seen: T0, ...extra });
    expect(staleNote(change, undefined)).toBeUndefined();
    expect(staleNote(change, record({ opted_out: true, opt_changed_at: T0, opted_out_by: 'command' }))).toBeUndefined();
    // An eventually consistent read that does not show the newer write yet.
    expect(staleNote(change, record({ opted_out: false, opt_changed_at: '2026-12-01T11:00:00.000Z' }))).toBeUndefined();
    expect(staleNote(change, record({ opted_out: false, opt_changed_at: T1, opted_in_by: 'keyword' }))).toBe(
      `not applied: the contact has newer evidence (opted in by keyword at ${T1}, after this command was queued at ${T0}), and newer evidence wins; it stays opted in`,
    );
    expect(staleNote(change, record({ opted_out: true, opt_changed_at: T1, opted_out_by: 'keyword' }))).toBe(
      `nothing to change: the contact is already opted out by keyword at ${T1}, after this command was queued at ${T0}`,
    );
    // Evidence of the same instant that says otherwise: the first written stays, and says so.
    expect(staleNote(change, record({ opted_out: false, opt_changed_at: T0, opted_in_by: 'keyword' }))).toContain(
      'not applied',
    );
  });
});

describe('through the command processor (in memory)', () => {
  let loop: SenderLoop;
  afterEach(() => loop?.stop());
  const push = (id: string, optedOut: boolean, number = NUMBER, dedupId?: string) =>
    loop.push(
      { type: 'set_contact_opt', command_id: id, number, opted_out: optedOut },
      { groupId: `contact:${number}`, ...(dedupId ? { dedupId } : {}) },
    );
  /** Moves the virtual clock on by `ms` (the loop's own timers fire on the way). */
  async function advance(ms: number) {
    const target = loop.clock.nowMs() + ms;
    void loop.clock.sleep(ms);
    await loop.clock.runUntil(() => loop.clock.nowMs() >= target, { limitMs: ms + 1_000 });
  }

  it('opts a contact out, dated when queued, with no Sendblue call and no line slot; then back in', async () => {
    loop = startSenderLoop({ seed: 11 });
    const queuedAt = loop.clock.now().toISOString();
    push('out-1', true);
    const settled = await loop.settle(['out-1']);
    expect(settled.get('out-1')).toMatchObject({ state: 'sent', type: 'set_contact_opt' });
    expect(settled.get('out-1')?.error).toBeUndefined();
    expect(await loop.table.getContact(NUMBER)).toMatchObject({
      number: NUMBER,
      opted_out: true,
      opted_out_at: queuedAt,
      opted_out_by: 'command',
      opt_changed_at: queuedAt,
      first_seen: queuedAt,
      last_seen: queuedAt,
    });
    expect(await loop.table.optedOutAmong([NUMBER])).toEqual(new Set([NUMBER]));
    expect(loop.sendblue.calls).toEqual([]);

    await advance(1_000);
    const inAt = loop.clock.now().toISOString();
    push('in-1', false);
    expect((await loop.settle(['in-1'])).get('in-1')?.state).toBe('sent');
    expect(await loop.table.getContact(NUMBER)).toMatchObject({
      opted_out: false,
      opted_in_at: inAt,
      opted_in_by: 'command',
      opted_out_at: queuedAt,
    });
    expect(await loop.table.optedOutAmong([NUMBER])).toEqual(new Set());
    expect(loop.sendblue.calls).toEqual([]);
  });

  it('one of our lines: failed with the reason, on the DLQ, nothing written', async () => {
    loop = startSenderLoop({ seed: 12 });
    push('our-line', true, LOOP_LINE);
    const failed = (await loop.settle(['our-line'])).get('our-line');
    const reason = `refused: ${LOOP_LINE} is one of our Sendblue lines, not a contact; a line cannot be opted out (nothing was written)`;
    expect(failed).toMatchObject({ state: 'failed', error: reason });
    expect(loop.deadLetters().map((d) => d.attributes[DEAD_LETTER_ATTRIBUTES.reason])).toEqual([reason]);
    expect(await loop.table.getContact(LOOP_LINE)).toBeUndefined();
  });

  it('invalid input (a bad number, a missing field) fails to the DLQ with the validator’s reason', async () => {
    loop = startSenderLoop({ seed: 13 });
    loop.push({ type: 'set_contact_opt', command_id: 'bad-number', number: '5551237001', opted_out: true });
    loop.push({ type: 'set_contact_opt', command_id: 'no-flag', number: NUMBER });
    const settled = await loop.settle(['bad-number', 'no-flag']);
    expect(settled.get('bad-number')?.error).toBe(
      'invalid command: number must be an E.164 number such as +15551230001',
    );
    expect(settled.get('no-flag')?.error).toBe(
      'invalid command: opted_out is required: true to opt the contact out, false to opt it back in',
    );
    expect(loop.deadLetters()).toHaveLength(2);
    expect(await loop.table.getContact(NUMBER)).toBeUndefined();
  });

  it('an attempt that dies right after the write: the redelivery (same SentTimestamp) changes nothing', async () => {
    loop = startSenderLoop({
      seed: 14,
      crashPlan: (n) => (n === 1 ? { at: 'recordOptChange', afterIt: true } : undefined),
    });
    push('crash-after-write', true);
    const settled = await loop.settle(['crash-after-write']);
    expect(loop.stats.crashed).toBe(1);
    const entry = settled.get('crash-after-write');
    expect(entry).toMatchObject({ state: 'sent' });
    expect(entry?.error).toBeUndefined(); // the record holds this very change: no note
    expect(entry?.attempts).toBe(2);
    // Written by the first attempt, at the time it was queued; the redelivery 180 s later wrote nothing.
    const record = await loop.table.getContact(NUMBER);
    expect(record?.opt_changed_at).toBe(new Date(Date.parse(record!.first_seen)).toISOString());
    expect(loop.clock.nowMs() - Date.parse(record!.opt_changed_at!)).toBeGreaterThanOrEqual(180_000);
  });

  it('the same command queued again (the same command_id) is ignored once sent: the record is unchanged', async () => {
    loop = startSenderLoop({ seed: 15 });
    push('twice', true);
    await loop.settle(['twice']);
    const before = await loop.table.getContact(NUMBER);
    await advance(600_000); // past SQS's 5-minute deduplication window
    push('twice', true, NUMBER, 'twice-again');
    expect((await loop.settle(['twice'])).get('twice')?.state).toBe('sent');
    expect(await loop.table.getContact(NUMBER)).toEqual(before);
    expect(loop.stats.records).toBe(2);
  });

  it('a STOP texted after the operator queued an opt-in wins, even when the sender gets to it later', async () => {
    // The first invocation dies before it claims the command: the sender gets to it 180 s later.
    loop = startSenderLoop({
      seed: 16,
      crashPlan: (n) => (n === 1 ? { at: 'claimCommand', afterIt: false } : undefined),
    });
    push('in-before-stop', false);
    // The member's STOP, dated 2 s after the command was queued, recorded before the sender runs.
    const stopAt = new Date(loop.clock.nowMs() + 2_000).toISOString();
    await loop.table.recordOptChange({ number: NUMBER, at: stopAt, optedOut: true, by: 'keyword' });
    const entry = (await loop.settle(['in-before-stop'])).get('in-before-stop');
    expect(entry?.state).toBe('sent');
    expect(entry?.error).toMatch(
      new RegExp(
        `^not applied: the contact has newer evidence \\(opted out by keyword at ${stopAt.replace(/\./g, '\\.')}, after this command was queued at .+\\), and newer evidence wins; it stays opted out$`,
      ),
    );
    expect(loop.stats.crashed).toBe(1);
    expect(loop.clock.nowMs() - Date.parse(stopAt)).toBeGreaterThanOrEqual(170_000);
    expect(await loop.table.getContact(NUMBER)).toMatchObject({ opted_out: true, opted_out_by: 'keyword' });
    expect(loop.deadLetters()).toEqual([]);
  });

  it('a STOP texted before the operator queued an opt-in is older: the operator wins', async () => {
    loop = startSenderLoop({ seed: 17 });
    const stopAt = new Date(loop.clock.nowMs() - 60_000).toISOString();
    await loop.table.recordOptChange({ number: NUMBER, at: stopAt, optedOut: true, by: 'keyword' });
    push('in-after-stop', false);
    expect((await loop.settle(['in-after-stop'])).get('in-after-stop')?.error).toBeUndefined();
    expect(await loop.table.getContact(NUMBER)).toMatchObject({
      opted_out: false,
      opted_in_by: 'command',
      opted_out_by: 'keyword',
      opted_out_at: stopAt,
    });
  });
});
