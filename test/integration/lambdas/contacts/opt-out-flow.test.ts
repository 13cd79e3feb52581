import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPT_OUT_KEYWORDS } from '../../../../lambdas/contract/sendblue-rules.js';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { mulberry32, pick } from '../../../support/fuzz.js';
import { startHarness, type Harness } from '../../../support/sandbox-harness.js';
import { expectValid, validatorFor } from '../../../support/schemas.js';

/**
 * Issue 19's opt-out story through the whole sandbox: the simulator over HTTP posts the member's
 * STOP to the receive webhook, the ingest stores it (one write), the contacts stream poller records
 * the opt-out, the events poller publishes `Contact Opted Out`, and the sender's pre-flight refuses
 * the next new group with that number, with no Sendblue call; START reverses all of it.
 * Seeded: which member writes and how the keyword is typed; CONTACTS_FLOW_SEED=<n> replays.
 */
const seed = Number(process.env.CONTACTS_FLOW_SEED) || 20261205;
const random = mulberry32(seed);
let h: Harness;
beforeAll(async () => {
  console.log(`contacts flow seed ${seed} (CONTACTS_FLOW_SEED=${seed} replays it)`);
  h = await startHarness();
});
afterAll(() => h?.stop());

const uid = () => Math.random().toString(36).slice(2, 10);
let next = 0;
const fresh = (count: number) => Array.from({ length: count }, () => `+1555888${String((next += 1)).padStart(4, '0')}`);
const contactSchema = validatorFor('reads/contact.json', { closed: true });
const pageSchema = validatorFor('reads/contacts-page.json', { closed: true });
const eventSchema = validatorFor('events/event.json', { closed: true });

/** Polls until `check` holds (the stream pollers run a few times a second). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached; last ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  return last;
}

const contact = (number: string) => h.get(`/contacts/${encodeURIComponent(number)}`);
const contactEvents = (number: string) =>
  (h.sandbox.streams.feed?.list() ?? [])
    .map((entry) => entry.event)
    .filter((event) => String(event['detail-type']).startsWith('Contact') && event.detail.number === number);

async function groupFromSend(numbers: string[]): Promise<string> {
  const id = `create-${uid()}`;
  await h.push({ type: 'send_group_message', command_id: id, numbers, content: 'hello' });
  const done = await h.waitForCommand(id, ['sent']);
  await h.sim.idle();
  return String(done.group_id);
}

const sendCalls = (numbers: string[]) =>
  h.sim.requests.filter(
    (r) => r.path === '/api/send-group-message' && (r.body as { numbers?: string[] }).numbers?.includes(numbers[0]!),
  ).length;

describe('a member texts STOP in a group, then START', () => {
  it('opted out: contact, event, pre-flight refusal without a Sendblue call; START reverses it', async () => {
    const members = fresh(3);
    const groupId = await groupFromSend(members);
    const member = pick(random, members);
    const keyword = pick(random, OPT_OUT_KEYWORDS);
    const typed = random() < 0.5 ? keyword.toLowerCase() : ` ${keyword} `;
    console.log(`member ${members.indexOf(member)} writes ${JSON.stringify(typed)}`);

    await h.sim.memberReply(groupId, { content: typed, from: member });
    const out = await eventually(
      () => contact(member),
      (r) => r.body.opted_out === true,
      'the contact opted out',
    );
    expect(out.status).toBe(200);
    expectValid(contactSchema, out.body, 'GET /contacts/{number}');
    expect(out.body).toMatchObject({ number: member, opted_out: true, opted_out_by: 'keyword', opted_in_at: null });
    // The first send contacted every member from the sandbox's line.
    expect(out.body.contacted).toEqual([{ line: '+15550000000', first_at: expect.any(String) }]);

    const [outEvent] = await eventually(
      async () => contactEvents(member),
      (e) => e.length === 1,
      'Contact Opted Out',
    );
    expectValid(eventSchema, outEvent, 'Contact Opted Out');
    expect(outEvent).toMatchObject({ 'detail-type': 'Contact Opted Out', detail: { number: member, by: 'keyword' } });

    const listed = await h.get('/contacts?opted_out=true');
    expectValid(pageSchema, listed.body, 'GET /contacts?opted_out=true');
    expect(listed.body.contacts.map((c: { number: string }) => c.number)).toContain(member);

    // The next send to a new group with that number: refused before Sendblue, no call.
    const newGroup = [member, ...fresh(1)];
    const before = sendCalls(newGroup);
    const refusedId = `after-stop-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: refusedId, numbers: newGroup, content: 'hi again' });
    const refused = await h.waitForCommand(refusedId, ['failed', 'sent']);
    expect(refused.state).toBe('failed');
    expect(refused.error).toBe(
      `refused before calling Sendblue (recipient_opted_out): member ${member} opted out (texted STOP or were opted out); a new group is not started with them. Remove them, or wait until they text START (or opt them back in: cli contacts opt-in)`,
    );
    expect(sendCalls(newGroup)).toBe(before);
    const dead = (await h.deadLetters()).find((m) => m.attributes[DEAD_LETTER_ATTRIBUTES.commandId] === refusedId);
    expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason]).toBe(refused.error);

    // START: back in, an event, and the same send goes.
    await h.sim.memberReply(groupId, { content: random() < 0.5 ? 'start' : 'START', from: member });
    const back = await eventually(
      () => contact(member),
      (r) => r.body.opted_out === false,
      'the contact opted in',
    );
    expect(back.body).toMatchObject({ opted_out: false, opted_in_by: 'keyword', opted_out_by: 'keyword' });
    const events = await eventually(
      async () => contactEvents(member),
      (e) => e.length === 2,
      'Contact Opted In',
    );
    expect(events.map((e) => e['detail-type'])).toEqual(['Contact Opted Out', 'Contact Opted In']);
    expectValid(eventSchema, events[1], 'Contact Opted In');
    expect(
      (await h.get('/contacts?opted_out=true')).body.contacts.map((c: { number: string }) => c.number),
    ).not.toContain(member);
    const goesId = `after-start-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: goesId, numbers: newGroup, content: 'hi again' });
    expect((await h.waitForCommand(goesId, ['failed', 'sent'])).state).toBe('sent');
    expect(sendCalls(newGroup)).toBe(before + 1);
  }, 60_000); // several waits on the stream pollers: seconds alone, more on a loaded machine

  it("a member Sendblue refuses (DECLINED for them alone) is opted out from that evidence; the message's status goes on", async () => {
    const members = fresh(3);
    const groupId = await groupFromSend(members);
    const member = pick(random, members);
    h.sim.optOut(member); // opted out in Sendblue only (as by a STOP we never received)
    const id = `to-group-${uid()}`;
    await h.push({ type: 'send_group_message', command_id: id, group_id: groupId, content: 'news' });
    const done = await h.waitForCommand(id, ['sent', 'failed']);
    expect(done.state).toBe('sent');
    await h.sim.idle();
    const message = await eventually(
      () => h.get(`/messages/${encodeURIComponent(String(done.message_handle))}`),
      (r) => r.body.status === 'DELIVERED',
      'the message delivered',
    );
    expect(message.body.status_history).toContainEqual({
      status: 'DECLINED',
      date_updated: expect.any(String),
      member,
    });
    const out = await eventually(
      () => contact(member),
      (r) => r.body.opted_out === true,
      'the contact opted out',
    );
    expect(out.body).toMatchObject({ opted_out: true, opted_out_by: 'declined' });
    await eventually(
      async () => contactEvents(member),
      (e) => e.length === 1,
      'Contact Opted Out',
    );
  }, 60_000); // several waits on the stream pollers: seconds alone, more on a loaded machine

  it('answers 404 for a number never seen, 400 for one that is not E.164 or a list without opted_out=true', async () => {
    expect((await contact(fresh(1)[0]!)).status).toBe(404);
    expect((await h.get('/contacts/15551230001')).status).toBe(400);
    expect((await h.get('/contacts/%2B1')).status).toBe(400);
    expect((await h.get('/contacts')).status).toBe(400);
    expect((await h.get('/contacts?opted_out=true&cursor=forged')).status).toBe(400);
    expect((await h.get('/contacts?opted_out=true&limit=0')).status).toBe(400);
  });
});
