/**
 * Hostile commands on the queue (seeded, reproducible: COMMAND_FUZZ_SEED=<n>): 160 bodies pushed
 * straight onto the sandbox's SQS queue, as any producer could, bypassing the client's validation.
 * About a third are valid sends (some with emoji, RTL text, content at the limit, unknown-looking but
 * harmless values); the rest are broken in one way each: not JSON, not an object, wrong or missing
 * fields, over the limits (content, members, ids, a body near SQS's 256 KiB), nesting thousands of
 * levels deep, prototype keys, tapbacks with hostile handles, reactions or part indexes. Every invalid one must end `failed` with a reason, on the DLQ with
 * that reason, without a Sendblue call; every valid one is sent exactly once; the sender never
 * fails a whole batch, and no secret or full phone number reaches the log.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambdas/contract/dead-letters.js';
import { DEFAULT_SANDBOX_CONFIG } from '../../../../sandbox/config.js';
import { hostileString, hostileValue, int, mulberry32, pick, type Random } from '../../../support/fuzz.js';
import { startHarness, type Harness } from '../../../support/sandbox-harness.js';

const SEED = Number(process.env.COMMAND_FUZZ_SEED) || 20261202;
const TOTAL = 160;
const note = (detail: string) => `seed ${SEED} (COMMAND_FUZZ_SEED=${SEED} to replay): ${detail}`.slice(0, 800);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const POOL = Array.from({ length: 40 }, (_, i) => `+1555${String(8_100_000 + i).padStart(7, '0')}`);

interface Case {
  /** The id the sender records it under: its own valid command_id, else the deduplication id. */
  id: string;
  dedupId: string;
  body: string;
  valid: boolean;
  /** Only for valid sends: the text Sendblue must receive exactly once. */
  content?: string;
  why: string;
}

const VALID_TEXTS = [
  'hello 👋 group',
  'שלום לכולם — مرحبا',
  'line one\nline two\ttabbed',
  '<script>alert(1)</script> is just text',
  '"quotes" and \\backslashes\\',
];

function members(random: Random, n: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < n) chosen.add(pick(random, POOL));
  return [...chosen];
}

function validSend(random: Random, i: number): { command: Record<string, unknown>; content: string } {
  const roll = random();
  const marker = `fuzz-${SEED}-${i}`;
  let content = `${pick(random, VALID_TEXTS)} ${marker}`;
  if (roll < 0.1) content = `${marker} ${'é'.repeat(18_995 - marker.length - 1)}`; // exactly the limit, in code points
  return {
    command: { type: 'send_group_message', numbers: members(random, 2 + int(random, 3)), content },
    content,
  };
}

/** One valid command broken in exactly one way, with the reason it is broken. */
function brokenCommand(random: Random, i: number): { body: unknown; why: string } | { raw: string; why: string } {
  const base = () => validSend(random, i).command;
  const reaction = () => ({ type: 'send_reaction', message_handle: `m-${SEED}-${i}`, reaction: 'love' });
  switch (int(random, 26)) {
    case 0:
      return {
        raw: pick(random, ['{"type": "send_group_message", ', 'not json', '{}}', '[1,2', ' ']),
        why: 'not JSON',
      };
    case 1:
      return { body: pick(random, [null, 42, 'a string', [], [base()], true]), why: 'not an object' };
    case 2:
      return { body: { ...base(), type: undefined }, why: 'no type' };
    case 3:
      return { body: { ...base(), type: hostileValue(random) }, why: 'hostile type' };
    case 4:
      return { body: { ...base(), numbers: hostileValue(random) }, why: 'hostile numbers' };
    case 5:
      return { body: { ...base(), numbers: [] }, why: 'no members' };
    case 6:
      return { body: { ...base(), numbers: members(random, 26) }, why: 'over 25 members' };
    case 7:
      return { body: { ...base(), numbers: [POOL[0], hostileString(random)] }, why: 'a hostile member' };
    case 8:
      return { body: { ...base(), content: 'x'.repeat(18_996) }, why: 'content over the limit' };
    case 9:
      return { body: { ...base(), content: 'x'.repeat(200_000) }, why: 'a body near 256 KiB' };
    case 10:
      return {
        body: { ...base(), content: hostileValue(random) === null ? 5 : { text: 'x' } },
        why: 'content not text',
      };
    case 11:
      return { body: { ...base(), content: undefined }, why: 'neither content nor media' };
    case 12:
      return {
        body: { ...base(), media_url: pick(random, ['javascript:alert(1)', 'ftp://x/y.png', 'http://', 42]) },
        why: 'bad media_url',
      };
    case 13:
      return { body: { ...base(), type: 'send_group_message ' }, why: 'a near-miss type' };
    case 14:
      return { body: { ...base(), send_style: pick(random, ['explode', '', 7, null]) }, why: 'bad send_style' };
    case 15:
      return { body: { ...base(), extra: hostileValue(random) }, why: 'an unknown field' };
    case 16: {
      // Built as text: JSON.stringify itself runs out of stack at these depths.
      const depth = 5_000 + int(random, 5_000);
      const [open, close] = random() < 0.5 ? ['[', ']'] : ['{"n":', '}'];
      const inner = JSON.stringify(base()).slice(0, -1);
      return { raw: `${inner},"deep":${open.repeat(depth)}"x"${close.repeat(depth)}}`, why: 'nested thousands deep' };
    }
    case 17:
      return {
        raw: `{"__proto__":{"polluted":true},"type":"send_group_message","numbers":["${POOL[1]}","${POOL[2]}"],"content":"p"}`,
        why: 'a __proto__ key',
      };
    case 18:
      return {
        body: {
          ...base(),
          from_number: pick(random, ['555-0100', '', 42, ['+14155550123'], '+1', `+1${'9'.repeat(20)}`]),
        },
        why: 'hostile from_number',
      };
    case 19:
      return {
        body: { ...base(), status_callback: pick(random, ['not a url', 'ftp://x', 5]) },
        why: 'bad status_callback',
      };
    case 20:
      return {
        body: {
          type: 'modify_group',
          group_id: pick(random, ['', 42, null, ['g'], 'x'.repeat(300), 'tab\there', 'lone\ud800']),
          modify_type: 'add_recipient',
          number: POOL[3],
        },
        why: 'modify with a hostile group_id',
      };
    case 22:
      return {
        body: {
          ...reaction(),
          message_handle: pick(random, ['', ' ', 42, null, ['m'], 'x'.repeat(300), 'bell\u0007', 'lone\ud800']),
        },
        why: 'a tapback with a hostile message_handle',
      };
    case 23:
      return {
        body: { ...reaction(), reaction: pick(random, ['heart', 'Love', '', '-love', 7, null, hostileString(random)]) },
        why: 'a tapback with an unknown reaction',
      };
    case 24:
      return {
        body: { ...reaction(), part_index: pick(random, [-1, 1.5, 1001, '0', null, 1e300, true, [0]]) },
        why: 'a tapback with a bad part_index',
      };
    case 25:
      return {
        body: { ...reaction(), [pick(random, ['group_id', 'content', 'number', 'extra'])]: hostileValue(random) },
        why: 'a tapback with a field it does not take',
      };
    default:
      return {
        body: {
          type: 'modify_group',
          group_id: 'sb_group_x',
          modify_type: pick(random, ['leave', 'kick', 7]),
          number: POOL[3],
        },
        why: 'bad modify_type',
      };
  }
}

function plan(random: Random): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < TOTAL; i += 1) {
    const dedupId = `fuzz-${SEED}-${i}`;
    // Half the commands name themselves; a hostile command_id is itself a broken command.
    const ownId = random() < 0.5 ? `cmd-${SEED}-${i}` : undefined;
    if (random() < 0.35) {
      const { command, content } = validSend(random, i);
      const body = JSON.stringify(ownId ? { ...command, command_id: ownId } : command);
      cases.push({ id: ownId ?? dedupId, dedupId, body, valid: true, content, why: 'valid' });
      continue;
    }
    if (random() < 0.1) {
      const badId = pick(random, ['x'.repeat(300), 'tab\there', '', 42, ['a']]);
      const body = JSON.stringify({ ...validSend(random, i).command, command_id: badId });
      cases.push({ id: dedupId, dedupId, body, valid: false, why: 'hostile command_id' });
      continue;
    }
    const broken = brokenCommand(random, i);
    const body =
      'raw' in broken
        ? broken.raw
        : JSON.stringify(
            ownId && broken.body && typeof broken.body === 'object' && !Array.isArray(broken.body)
              ? { ...broken.body, command_id: ownId }
              : broken.body,
          );
    const named = ownId !== undefined && !('raw' in broken) && body.includes(`"command_id":"${ownId}"`);
    cases.push({ id: named ? ownId : dedupId, dedupId, body, valid: false, why: broken.why });
  }
  return cases;
}

describe(`hostile commands on the queue (seed ${SEED})`, () => {
  it('fails every invalid command with its reason on the DLQ, sends every valid one once, never crashes', async () => {
    const cases = plan(mulberry32(SEED));
    const requestsBefore = h.sim.requests.length;
    for (const [index, c] of cases.entries()) {
      await h.sqs.send(
        new SendMessageCommand({
          QueueUrl: h.sandbox.urls.commandQueue,
          MessageBody: c.body,
          // One message group each: a failed command must not hold up the others.
          MessageGroupId: `fuzz-${index % 40}`,
          MessageDeduplicationId: c.dedupId,
        }),
      );
    }

    const outcomes = new Map<string, Record<string, unknown>>();
    for (const c of cases) {
      outcomes.set(c.id, await h.waitForCommand(c.id, c.valid ? ['sent', 'failed'] : ['failed', 'sent'], 60_000));
    }

    const deadById = new Map((await h.deadLetters()).map((m) => [m.attributes[DEAD_LETTER_ATTRIBUTES.commandId], m]));
    const sent = h.sim.sentMessages();
    for (const c of cases) {
      const outcome = outcomes.get(c.id)!;
      const where = note(`${c.why}: ${c.id} ${c.body.slice(0, 200)} -> ${JSON.stringify(outcome).slice(0, 300)}`);
      if (c.valid) {
        expect(outcome.state, where).toBe('sent');
        expect(
          sent.filter((m) => m.content === c.content),
          where,
        ).toHaveLength(1);
        expect(deadById.has(c.id), where).toBe(false);
      } else {
        expect(outcome.state, where).toBe('failed');
        expect(String(outcome.error ?? ''), where).not.toBe('');
        const dead = deadById.get(c.id);
        expect(dead?.attributes[DEAD_LETTER_ATTRIBUTES.reason], where).toBe(outcome.error);
        expect(dead?.body, where).toBe(c.body);
      }
    }
    // Only valid sends reached Sendblue (a 429 from the line's rate limit may repeat one: it was not accepted).
    const sends = h.sim.requests.slice(requestsBefore).filter((r) => r.path === '/api/send-group-message');
    const validContents = new Set(cases.filter((c) => c.valid).map((c) => c.content));
    for (const send of sends) {
      expect(
        validContents.has((send.body as { content?: string }).content),
        note(`an invalid command reached Sendblue: ${JSON.stringify(send).slice(0, 400)}`),
      ).toBe(true);
    }
    expect(
      sends.filter((r) => r.status === 200),
      note('accepted sends'),
    ).toHaveLength(validContents.size);
    // Every group change and tapback here is broken: none may reach Sendblue's modify, rename or reaction routes.
    const changes = h.sim.requests
      .slice(requestsBefore)
      .filter((r) => r.method === 'POST' && r.path !== '/api/send-group-message');
    expect(changes, note('group changes reached Sendblue')).toEqual([]);
    // No batch failed as a whole (that would mean the handler threw), no secret and no full number logged.
    const log = h.logs.join('\n');
    expect(log).not.toMatch(/batch failed|Unhandled/i);
    expect(log).not.toContain(DEFAULT_SANDBOX_CONFIG.apiSecretKey);
    for (const phone of POOL) expect(log, note(`${phone} logged in full`)).not.toContain(phone);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(cases.filter((c) => c.valid).length).toBeGreaterThan(30);
  }, 240_000);
});
