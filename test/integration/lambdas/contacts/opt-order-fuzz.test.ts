/**
 * The contacts ledger keeps the newest evidence, whatever order it arrives in (adapters/table-
 * contacts.ts on DynamoDB Local, seeded): per number a random history of opt-outs and opt-ins (a
 * STOP, Sendblue's flag, a per-member refusal, an operator's set_contact_opt, a START), with
 * sightings between them, written in a random order, some twice (a stream redelivery), several at
 * once. Afterwards each contact's opt state, its time and source are those of its newest evidence;
 * the opted-out list holds exactly the numbers whose newest evidence is an opt-out; last_seen is
 * never older than the newest sighting and first_seen never newer than the oldest; pre-flight's
 * read (optedOutAmong) agrees with the list.
 * OPT_FUZZ_SEED=<n> replays one seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactSighting, OptChange } from '../../../../lambdas/contacts/ports.js';
import type { OptSource } from '../../../../lambdas/contract/items.js';
import { createContactTable } from '../../../../lambdas/adapters/table-contacts.js';
import { createTestTable, type TestTable } from '../../../support/dynamodb.js';
import { int, mulberry32, pick, type Random } from '../../../support/fuzz.js';

const FIRST_SEED = Number(process.env.OPT_FUZZ_SEED) || 20261206;
const SEEDS = process.env.OPT_FUZZ_SEED ? [FIRST_SEED] : [FIRST_SEED, FIRST_SEED + 1, FIRST_SEED + 2];
const OUT_SOURCES: OptSource[] = ['keyword', 'webhook_flag', 'declined', 'command'];
const IN_SOURCES: OptSource[] = ['keyword', 'command'];

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('opt-order');
});
afterAll(() => table?.drop());

type Write = { kind: 'opt'; change: OptChange } | { kind: 'sighting'; sighting: ContactSighting };

function shuffle<T>(random: Random, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = int(random, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A number's history: distinct times (evidence at the same millisecond has no order to keep). */
function history(random: Random, number: string, start: number): Write[] {
  const writes: Write[] = [];
  const times = new Set<number>();
  const count = 1 + int(random, 8);
  while (times.size < count) times.add(start + int(random, 3_600_000));
  for (const ms of times) {
    const at = new Date(ms).toISOString();
    if (random() < 0.35) {
      writes.push({
        kind: 'sighting',
        sighting: { number, at, ...(random() < 0.5 ? { contactedFrom: '+15550000000' } : {}) },
      });
      continue;
    }
    const optedOut = random() < 0.6;
    writes.push({
      kind: 'opt',
      change: { number, at, optedOut, by: pick(random, optedOut ? OUT_SOURCES : IN_SOURCES) },
    });
  }
  return writes;
}

describe.each(SEEDS)('contact opt evidence in any order (seed %i; OPT_FUZZ_SEED=<n> replays one)', (seed) => {
  it('each contact ends with its newest evidence; the opted-out list and pre-flight agree', async () => {
    const random = mulberry32(seed);
    const ledger = createContactTable(table.documentClient, table.tableName);
    const numbers = Array.from(
      { length: 40 },
      (_, i) => `+1555${String(seed % 1000).padStart(3, '0')}${String(i).padStart(4, '0')}`,
    );
    const start = Date.UTC(2026, 11, 6, 9);
    const writes = numbers.flatMap((number) => history(random, number, start));
    // Redeliveries: about one write in five comes twice, anywhere in the order.
    const delivered = shuffle(random, [...writes, ...writes.filter(() => random() < 0.2)]);
    const replay = `seed ${seed} (OPT_FUZZ_SEED=${seed}), ${delivered.length} writes`;
    // Several at once, as Lambda's concurrent batches and the stream's shards give them.
    for (let at = 0; at < delivered.length; ) {
      const batch = delivered.slice(at, at + 1 + int(random, 8));
      at += batch.length;
      await Promise.all(
        batch.map((write) =>
          write.kind === 'opt' ? ledger.recordOptChange(write.change) : ledger.recordSighting(write.sighting),
        ),
      );
    }

    const expectedOut = new Set<string>();
    for (const number of numbers) {
      const mine = writes.filter((write) => (write.kind === 'opt' ? write.change : write.sighting).number === number);
      const opts = mine.flatMap((write) => (write.kind === 'opt' ? [write.change] : []));
      const sightings = mine.flatMap((write) => (write.kind === 'sighting' ? [write.sighting] : []));
      const contact = await ledger.getContact(number);
      expect(contact, `${replay}: ${number} stored`).toBeDefined();
      const newest = opts.sort((a, b) => a.at.localeCompare(b.at)).at(-1);
      if (newest) {
        expect(
          {
            opted_out: contact!.opted_out,
            at: contact!.opt_changed_at,
            by: newest.optedOut ? contact!.opted_out_by : contact!.opted_in_by,
          },
          `${replay}: ${number}`,
        ).toEqual({ opted_out: newest.optedOut, at: newest.at, by: newest.by });
        if (newest.optedOut) expectedOut.add(number);
      } else {
        expect(contact!.opted_out, `${replay}: ${number} never opted`).toBeUndefined();
      }
      const newestSighting = sightings
        .map((s) => s.at)
        .sort()
        .at(-1);
      if (newestSighting) expect(contact!.last_seen >= newestSighting, `${replay}: ${number} last_seen`).toBe(true);
      // first_seen is the earliest sighting, even one applied late (or the evidence that created the record).
      const all = mine.map((write) => (write.kind === 'opt' ? write.change : write.sighting).at).sort();
      const oldestSighting = sightings.map((s) => s.at).sort()[0];
      expect(contact!.first_seen >= all[0]!, `${replay}: ${number} first_seen`).toBe(true);
      if (oldestSighting) expect(contact!.first_seen <= oldestSighting, `${replay}: ${number} first_seen`).toBe(true);
      expect(contact!.last_seen <= all.at(-1)!, `${replay}: ${number} last_seen`).toBe(true);
    }

    const listed = new Set<string>();
    let startKey: Record<string, string> | undefined;
    do {
      const page = await ledger.listOptedOut({ limit: 25, startKey });
      for (const entry of page.items) if (numbers.includes(entry.number)) listed.add(entry.number);
      startKey = page.nextKey;
    } while (startKey);
    expect([...listed].sort(), `${replay}: the opted-out list`).toEqual([...expectedOut].sort());
    expect([...(await ledger.optedOutAmong(numbers))].sort(), `${replay}: pre-flight`).toEqual([...expectedOut].sort());
  }, 120_000);
});
