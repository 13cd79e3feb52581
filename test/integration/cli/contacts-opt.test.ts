/**
 * `cli contacts opt-out` / `opt-in` through a whole sandbox: the CLI queues a set_contact_opt on the
 * SQS emulator, the real sender applies it to DynamoDB Local (no Sendblue call), the contacts
 * record changes, the events poller publishes Contact Opted Out / In from the stream, and the next
 * send to a new group with that number is refused by pre-flight before the simulator (over HTTP)
 * sees a call; opt-in lets exactly one send through. Then: the same command again changes nothing,
 * an attempt told its write failed (after it was made) is redelivered and changes nothing, and a
 * STOP texted after the operator's opt-in opts the number out again (newer evidence wins).
 * Seeded: which member the operator opts out, and whether it is a contact already;
 * CONTACTS_OPT_SEED=<n> replays.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../lambdas/contract/dead-letters.js';
import { mulberry32, pick } from '../../support/fuzz.js';
import { LINE, startHarness, type Harness } from '../../support/sandbox-harness.js';
import { expectValid, validatorFor } from '../../support/schemas.js';

const seed = Number(process.env.CONTACTS_OPT_SEED) || 20261215;
const random = mulberry32(seed);

/** The next operator write of `failNext` fails after DynamoDB made it (the caller is told it failed). */
const failNext = { number: '', injected: 0 };
function failAfterWrite(client: DynamoDBDocumentClient) {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = JSON.stringify(args.input ?? {});
      const ours =
        failNext.number !== '' && input.includes(`CONTACT#${failNext.number}`) && input.includes('"command"');
      const out = await next(args);
      if (ours) {
        failNext.number = '';
        failNext.injected += 1;
        throw Object.assign(new Error('injected: written, then the answer was lost'), {
          name: 'InternalServerError',
          $fault: 'server',
        });
      }
      return out;
    },
    { step: 'initialize', name: 'failContactOptAfterWrite' },
  );
}

let h: Harness;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  console.log(`contacts opt seed ${seed} (CONTACTS_OPT_SEED=${seed} replays it)`);
  h = await startHarness({ onDocumentClient: failAfterWrite });
  env = { SANDBOX_PORT: new URL(h.sandbox.urls.api).port, SANDBOX_SQS_PORT: new URL(h.sandbox.urls.sqs).port };
});
afterAll(() => h?.stop());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env });
  return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
}

let next = 0;
const fresh = (count: number) => Array.from({ length: count }, () => `+1555777${String((next += 1)).padStart(4, '0')}`);
const contactSchema = validatorFor('reads/contact.json', { closed: true });
const eventSchema = validatorFor('events/event.json', { closed: true });

async function eventually<T>(read: () => Promise<T> | T, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  let last = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached; last ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  return last;
}

const contactEvents = (number: string) =>
  (h.sandbox.streams.feed?.list() ?? [])
    .map((entry) => entry.event)
    .filter((event) => String(event['detail-type']).startsWith('Contact') && event.detail.number === number);
/** Calls to send a group message that reached the simulator with `number` among the recipients. */
const sendCallsWith = (number: string) =>
  h.sim.requests.filter(
    (r) => r.path === '/api/send-group-message' && (r.body as { numbers?: string[] }).numbers?.includes(number),
  ).length;
const contact = async (number: string) => (await cli('contacts', number, '--json')).json();
/** A contact's opt state (its sightings move on with every message). */
const optState = ({ opted_out, opted_out_at, opted_out_by, opted_in_at, opted_in_by }: Record<string, unknown>) => ({
  opted_out,
  opted_out_at,
  opted_out_by,
  opted_in_at,
  opted_in_by,
});

describe('cli contacts opt-out / opt-in', () => {
  it('opts a contact out (event, pre-flight refuses a new group, no call), back in (event, one send), and a repeat changes nothing', async () => {
    const members = fresh(3);
    const known = random() < 0.5;
    const number = pick(random, members);
    console.log(`operator opts out member ${members.indexOf(number)}, ${known ? 'a contact already' : 'never seen'}`);
    if (known) {
      expect((await cli('send', '--to', members.join(','), 'Hello', '--wait')).code).toBe(0);
      await eventually(
        () => cli('contacts', number),
        (r) => r.code === 0,
        'the contact recorded',
      );
    }
    const callsBefore = sendCallsWith(number);

    // Opt out: the command is applied, then the contact is shown.
    const out = await cli('contacts', 'opt-out', number, '--wait', '--json');
    expect(out.code, out.err).toBe(0);
    const { command, contact: outContact } = out.json();
    expect(command).toMatchObject({ type: 'set_contact_opt', state: 'sent', error: null, group_id: null });
    expectValid(contactSchema, outContact, 'the contact after opt-out');
    expect(outContact).toMatchObject({ number, opted_out: true, opted_out_by: 'command', opted_in_at: null });
    const [outEvent] = await eventually(
      () => contactEvents(number),
      (e) => e.length === 1,
      'Contact Opted Out',
    );
    expectValid(eventSchema, outEvent, 'Contact Opted Out');
    expect(outEvent).toMatchObject({
      'detail-type': 'Contact Opted Out',
      detail: { number, opted_out: true, by: 'command', at: outContact.opted_out_at },
    });
    expect((await cli('contacts', '--opted-out', '--json')).json().contacts).toContainEqual({
      number,
      opted_out_since: outContact.opted_out_at,
    });
    expect(sendCallsWith(number)).toBe(callsBefore);

    // The next send to a new group with that number: refused before Sendblue, no call.
    const newGroup = [number, ...fresh(1)];
    const refused = await cli('send', '--to', newGroup.join(','), 'after the opt-out', '--wait', '--json');
    expect(refused.code).toBe(2);
    const reason = `refused before calling Sendblue (recipient_opted_out): member ${number} opted out (texted STOP or were opted out); a new group is not started with them. Remove them, or wait until they text START (or opt them back in: cli contacts opt-in)`;
    expect(refused.json()).toMatchObject({ state: 'failed', error: reason });
    expect(sendCallsWith(number)).toBe(callsBefore);
    const dead = (await h.deadLetters()).find(
      (m) => m.attributes[DEAD_LETTER_ATTRIBUTES.commandId] === refused.json().command_id,
    );
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toBe(reason);

    // Opt in (human output): the contact, back in; an event; the same send goes out once.
    const inId = `opt-in-${seed}`;
    const back = await cli('contacts', 'opt-in', number, '--id', inId, '--wait');
    expect(back.code, back.err).toBe(0);
    expect(back.out).toContain(`command ${inId}: sent ✓ (set_contact_opt)`);
    expect(back.out).toMatch(new RegExp(`\\ncontact \\${number}\\n`));
    expect(back.out).toMatch(/\n {2}opted back in .+ \(command\)/);
    const inContact = await contact(number);
    expect(inContact).toMatchObject({ opted_out: false, opted_in_by: 'command', opted_out_by: 'command' });
    const events = await eventually(
      () => contactEvents(number),
      (e) => e.length === 2,
      'Contact Opted In',
    );
    expect(events.map((e) => [e['detail-type'], e.detail.by])).toEqual([
      ['Contact Opted Out', 'command'],
      ['Contact Opted In', 'command'],
    ]);
    expectValid(eventSchema, events[1], 'Contact Opted In');
    const goes = await cli('send', '--to', newGroup.join(','), 'after the opt-in', '--wait', '--json');
    expect(goes.code, goes.err).toBe(0);
    expect(sendCallsWith(number)).toBe(callsBefore + 1);

    // The same command again (its id), from the CLI and as a raw duplicate past SQS's deduplication:
    // the ledger says it is sent, nothing is written, no event.
    const again = await cli('contacts', 'opt-in', number, '--id', inId, '--wait', '--json');
    expect(again.code, again.err).toBe(0);
    await h.push(
      { type: 'set_contact_opt', command_id: inId, number, opted_out: false },
      { groupId: `contact:${number}`, dedupId: `${inId}-again` },
    );
    await h.sim.idle();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(optState(await contact(number))).toEqual(optState(inContact));
    expect(contactEvents(number)).toHaveLength(2);
    expect((await h.command(inId)).body).toMatchObject({ state: 'sent', error: null });
  }, 60_000); // several waits on the stream pollers: seconds alone, more on a loaded machine

  it('a write whose answer was lost is redelivered and changes nothing; a STOP texted after an opt-in opts out again', async () => {
    const [number, other] = fresh(2) as [string, string];
    const sent = await cli('send', '--to', `${number},${other}`, 'Hello', '--wait', '--json');
    expect(sent.code).toBe(0);
    const groupId = sent.json().group_id as string;

    // The sender's write is made, then reported failed: the command is tried again (the same SQS
    // message, so the same time), finds its own change, and settles with no note.
    failNext.number = number;
    const out = await cli('contacts', 'opt-out', number, '--wait', '--json');
    expect(out.code, out.err).toBe(0);
    expect(failNext.injected).toBe(1);
    const entry = (await h.command(out.json().command.command_id)).body;
    expect(entry).toMatchObject({ state: 'sent', error: null });
    expect(out.json().contact).toMatchObject({ opted_out: true, opted_out_by: 'command' });
    await eventually(
      () => contactEvents(number),
      (e) => e.length === 1,
      'Contact Opted Out',
    );

    // Back in, then the member texts STOP: newer than the operator's opt-in, so it wins.
    const back = await cli('contacts', 'opt-in', number, '--wait', '--json');
    expect(back.json().contact.opted_out).toBe(false);
    await h.sim.memberReply(groupId, { content: 'STOP', from: number });
    const again = await eventually(
      () => contact(number),
      (c) => c.opted_out === true,
      'the STOP after the opt-in',
    );
    expect(again).toMatchObject({ opted_out: true, opted_out_by: 'keyword', opted_in_by: 'command' });
    expect(again.opted_out_at > again.opted_in_at).toBe(true);
    const events = await eventually(
      () => contactEvents(number),
      (e) => e.length === 3,
      'three opt events',
    );
    expect(events.map((e) => [e['detail-type'], e.detail.by])).toEqual([
      ['Contact Opted Out', 'command'],
      ['Contact Opted In', 'command'],
      ['Contact Opted Out', 'keyword'],
    ]);
  }, 60_000); // several waits on the stream pollers: seconds alone, more on a loaded machine

  it('our own line fails with the reason (exit 2); a number that is not E.164, or none, is a usage error (exit 1)', async () => {
    const line = await cli('contacts', 'opt-out', LINE, '--wait', '--json');
    expect(line.code).toBe(2);
    const reason = `refused: ${LINE} is one of our Sendblue lines, not a contact; a line cannot be opted out (nothing was written)`;
    expect(line.json()).toMatchObject({ type: 'set_contact_opt', state: 'failed', error: reason });
    expect((await cli('contacts', LINE)).code).toBe(2); // still no contact record for the line

    const bad = await cli('contacts', 'opt-in', '5551230001');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error: invalid command: number must be an E.164 number such as +15551230001');
    expect((await cli('contacts', 'opt-out')).code).toBe(1);
    expect((await cli('contacts', 'opt-out', '+15551230001', '+15551230002')).code).toBe(1);
    expect((await cli('contacts', '+15551230001', '--wait')).code).toBe(1);
    expect((await cli('contacts', 'opt-out', '--help')).out).toContain('cli contacts opt-out NUMBER');
  });
});
