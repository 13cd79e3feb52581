import { describe, expect, it } from 'vitest';
import { contactFactsFor } from '../../../../lambdas/contacts/contact-projection.js';
import { OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS, optOutKeyword } from '../../../../lambdas/contract/sendblue-rules.js';
import type { TableChange } from '../../../../lambdas/events/table-change.js';
import { int, mulberry32, pick } from '../../../support/fuzz.js';

const LINE = '+15550000000';
const A = '+15551230001';
const B = '+15551230002';
const AT = '2026-11-20T17:04:11.512Z';

let sequence = 0;
const change = (
  pk: string,
  sk: string,
  newImage: Record<string, unknown>,
  kind: TableChange['kind'] = 'INSERT',
): TableChange => ({
  eventId: `e${(sequence += 1)}`,
  kind,
  pk,
  sk,
  newImage,
  sequenceNumber: String(sequence),
});
const memberMessage = (content: string | undefined, extra: Record<string, unknown> = {}) =>
  change('MSG#m1', 'MSG', {
    direction: 'inbound',
    from_number: A,
    date_sent: AT,
    content,
    participants: [A, B, LINE],
    sendblue_number: LINE,
    ...extra,
  });

describe('the contact projection', () => {
  it("a member's message: its writer and the other members are seen, our line is not", () => {
    expect(contactFactsFor(memberMessage('Running late'))).toEqual({
      sightings: [
        { number: A, at: AT },
        { number: B, at: AT },
      ],
      optChanges: [],
    });
  });

  it.each(OPT_OUT_KEYWORDS)('"%s" (any case, spaced) opts its writer out', (keyword) => {
    for (const text of [keyword, keyword.toLowerCase(), `  ${keyword.replace(' ', '   ')}\n`]) {
      expect(contactFactsFor(memberMessage(text)).optChanges).toEqual([
        { number: A, at: AT, optedOut: true, by: 'keyword' },
      ]);
    }
  });

  it.each(OPT_IN_KEYWORDS)('"%s" opts its writer back in, whatever the flag says', (keyword) => {
    expect(contactFactsFor(memberMessage(keyword.toLowerCase(), { opted_out: true })).optChanges).toEqual([
      { number: A, at: AT, optedOut: false, by: 'keyword' },
    ]);
  });

  it("Sendblue's opted_out: true is evidence; false (on every message) is not", () => {
    expect(contactFactsFor(memberMessage('hi', { opted_out: true })).optChanges).toEqual([
      { number: A, at: AT, optedOut: true, by: 'webhook_flag' },
    ]);
    expect(contactFactsFor(memberMessage('hi', { opted_out: false })).optChanges).toEqual([]);
  });

  it('a sentence with a keyword in it is no keyword ("stop please", "STOP.")', () => {
    for (const text of ['stop please', 'STOP.', 'please STOP', 'START now', 'st op'])
      expect(contactFactsFor(memberMessage(text)).optChanges).toEqual([]);
  });

  it('our message: each recipient seen and contacted from its line', () => {
    const ours = change('MSG#m2', 'MSG', {
      direction: 'outbound',
      from_number: LINE,
      date_sent: AT,
      participants: [A, B, LINE],
      content: 'STOP', // our own text is never a member's keyword
    });
    expect(contactFactsFor(ours)).toEqual({
      sightings: [
        { number: A, at: AT, contactedFrom: LINE },
        { number: B, at: AT, contactedFrom: LINE },
      ],
      optChanges: [],
    });
  });

  it('a per-member refusal opts the member out; a message status names nobody', () => {
    const refusal = change('MSG#m2', `STATUS#DECLINED#${B}`, {
      status: 'DECLINED',
      member: B,
      opted_out: true,
      date_updated: AT,
    });
    expect(contactFactsFor(refusal)).toEqual({
      sightings: [{ number: B, at: AT }],
      optChanges: [{ number: B, at: AT, optedOut: true, by: 'declined' }],
    });
    expect(contactFactsFor(change('MSG#m2', 'STATUS#DECLINED', { status: 'DECLINED', date_updated: AT }))).toEqual({
      sightings: [],
      optChanges: [],
    });
  });

  it('our lines given are never contacts; modifications, removals and other items say nothing', () => {
    expect(contactFactsFor(memberMessage('STOP', { from_number: B }), new Set([B])).optChanges).toEqual([]);
    expect(contactFactsFor({ ...memberMessage('STOP'), kind: 'MODIFY' })).toEqual({ sightings: [], optChanges: [] });
    expect(contactFactsFor({ ...memberMessage('STOP'), kind: 'REMOVE', newImage: undefined })).toEqual({
      sightings: [],
      optChanges: [],
    });
    expect(contactFactsFor(change('GROUP#g1', 'GROUP', { members: [A] }))).toEqual({ sightings: [], optChanges: [] });
  });

  it('hostile values (not numbers, no date, odd types) are skipped, never thrown', () => {
    for (const extra of [
      { from_number: 'not a number' },
      { from_number: 42 },
      { date_sent: undefined, received_at: undefined },
      { participants: 'x' },
      { participants: [null, 1, '+1', A] },
      { content: { nested: true } },
    ])
      expect(() => contactFactsFor(memberMessage('STOP', extra))).not.toThrow();
    expect(contactFactsFor(memberMessage('STOP', { from_number: 'nope' }))).toEqual({ sightings: [], optChanges: [] });
  });
});

/**
 * Seeded: random member texts built from the keywords (case, spacing, punctuation, words around)
 * against `optOutKeyword` applied by hand. CONTACTS_SEED=<n> replays one seed.
 */
describe('stop words, seeded', () => {
  const seed = Number(process.env.CONTACTS_SEED) || 20261205;
  it(`the projection's opt changes are exactly the keyword rule's (seed ${seed}, CONTACTS_SEED to replay)`, () => {
    console.log(`contacts seed ${seed} (CONTACTS_SEED=${seed} replays it)`);
    const random = mulberry32(seed);
    const words = [...OPT_OUT_KEYWORDS, ...OPT_IN_KEYWORDS, 'please', 'stopp', 'Start', 'hello', 'OPT', 'OUT'];
    const spaces = ['', ' ', '  ', '\t', '\n', '\u00a0'];
    let outs = 0;
    let ins = 0;
    for (let round = 0; round < 3_000; round += 1) {
      const parts = Array.from({ length: 1 + int(random, 2) }, () => {
        const word = pick(random, words);
        return random() < 0.5 ? word.toLowerCase() : random() < 0.5 ? word : word.replace(' ', pick(random, spaces));
      });
      const text =
        pick(random, spaces) + parts.join(pick(random, [' ', '  ', '.'])) + pick(random, [...spaces, '.', '!']);
      const expected = optOutKeyword(text);
      const { optChanges } = contactFactsFor(memberMessage(text));
      expect(optChanges, JSON.stringify(text)).toEqual(
        expected ? [{ number: A, at: AT, optedOut: expected === 'opt-out', by: 'keyword' }] : [],
      );
      if (expected === 'opt-out') outs += 1;
      if (expected === 'opt-in') ins += 1;
    }
    // The generator reaches both keywords and plain text.
    expect(outs).toBeGreaterThan(100);
    expect(ins).toBeGreaterThan(20);
  });
});
