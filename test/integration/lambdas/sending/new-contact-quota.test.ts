/**
 * The line's new-contact quota on the whole command path (docs/sending.md "The line's new-contact
 * quota"): the simulator over HTTP with its quota on (3 new contacts per 15 s "hour"), DynamoDB
 * Local, the SQS emulator, the sender's quota set the same. Sends to new numbers beyond the quota
 * wait `queued` with a reason a user reads, and go once the window frees; none fails, none is sent
 * twice, and the simulator never counts more new contacts in a window than the quota. Concurrent
 * senders (separate containers: no shared memory) cannot overspend: the spend is one conditional
 * write. Seeded (QUOTA_SEED=<n> replays: which numbers, the order of pushes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passNewContactQuota } from '../../../../lambdas/sending/contact-gate.js';
import type { AttemptDeps } from '../../../../lambdas/sending/attempt.js';
import { QUOTA_HOLD_PREFIX } from '../../../../lambdas/sending/new-contact-quota.js';
import { createLogger } from '../../../../lambdas/platform/logger.js';
import { seededRandom } from '../../../../sandbox/sendblue-simulator/faults.js';
import { settleAll } from '../../../support/outage.js';
import { LINE, startHarness, type Harness } from '../../../support/sandbox-harness.js';

const SEED = Number(process.env.QUOTA_SEED) || 20261205;
const WINDOW_MS = 15_000;
const QUOTA = { perHour: 3, perDay: 50, hourWindowMs: WINDOW_MS };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    sender: { newContacts: QUOTA, lineAdvice: { maxAgeMs: 2_000, waitMs: 500 }, concurrency: 2 },
    simulator: { newContactQuota: QUOTA },
  });
});
afterAll(() => h?.stop());

/** New numbers of this run (no other test's line knows them). */
const numbersFor = (seed: number, count: number) => {
  const random = seededRandom(seed);
  const base = 5_000_000 + Math.floor(random() * 400_000) * 10;
  return Array.from({ length: count }, (_, i) => `+1555${String(base + i).padStart(7, '0')}`);
};

describe(`the new-contact quota, 3 per ${WINDOW_MS / 1000} s (seed ${SEED})`, () => {
  it('five sends to new numbers: three go, two wait queued with the reason and go once the window frees; none fails', async () => {
    console.log(`new-contact quota on the command path: seed ${SEED} (QUOTA_SEED=${SEED} replays it)`);
    const people = numbersFor(SEED, 5);
    const ids = people.map((_, i) => `quota-${SEED}-${i}`);
    const startedAt = Date.now();
    for (const [i, number] of people.entries()) {
      await h.push(
        { type: 'send_group_message', command_id: ids[i], numbers: [number], content: `hello ${i}` },
        { groupId: `new-${number}` },
      );
    }

    // While they wait, a user reads why in GET /commands/{id}.
    const reasons = new Map<string, string>();
    const deadline = Date.now() + WINDOW_MS;
    while (reasons.size < 2 && Date.now() < deadline) {
      for (const id of ids) {
        const { body } = await h.command(id);
        if (body.state === 'queued' && String(body.error ?? '').startsWith(QUOTA_HOLD_PREFIX)) {
          reasons.set(id, String(body.error));
          expect(body.next_attempt_at).toEqual(expect.any(String));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(reasons.size, `seed ${SEED}: two commands seen waiting for the quota`).toBe(2);
    for (const reason of reasons.values()) {
      expect(reason).toMatch(
        /^waiting for the line's new-contact quota: 1 new contact, 0 left (this hour|as Sendblue counts them); next at \d\d:\d\d:\d\dZ \(not a failure\)$/,
      );
    }

    const settled = await settleAll(h, ids, 4 * WINDOW_MS);
    const states = await Promise.all(
      ids.map(async (id) => {
        const item = settled.get(id) ?? (await h.sandbox.store.getCommand(id));
        return item?.state === 'sent' ? 'sent' : `${item?.state}: ${item?.error}`;
      }),
    );
    expect(states, `seed ${SEED}`).toEqual(ids.map(() => 'sent'));
    expect(await h.deadLetters()).toEqual([]);

    // Exactly once each, and never more than 3 new contacts within any window as the simulator accepted them.
    const accepted = h.sim
      .sentMessages()
      .filter((message) => message.line === LINE && people.some((number) => message.participants.includes(number)))
      .map((message) => Date.parse(message.date_created))
      .sort((a, b) => a - b);
    expect(accepted).toHaveLength(5);
    for (const [i, at] of accepted.entries()) {
      expect(
        accepted.filter((other) => other > at - WINDOW_MS && other <= at).length,
        `window ending #${i}`,
      ).toBeLessThanOrEqual(3);
    }
    // The waiting two went no earlier than the window let them, and not long after.
    const lastSent = accepted[4]! - startedAt;
    expect(lastSent).toBeGreaterThanOrEqual(WINDOW_MS - 1_000);
    expect(lastSent).toBeLessThan(3 * WINDOW_MS);
    const limited = h.sim.requests.filter(
      (request) => request.status === 429 && request.path === '/api/send-group-message',
    ).length;
    console.log(
      `quota seed ${SEED}: last send ${(lastSent / 1000).toFixed(1)} s after the first push; ` +
        `Sendblue's new_contact_limit answers met: ${limited} (each a wait, never a failure); reasons: ${JSON.stringify([...reasons.values()])}`,
    );
  }, 90_000);

  it('concurrent senders cannot overspend: of 10 commands spending at once from separate containers, 3 spend', async () => {
    const line = '+15550009999';
    const people = numbersFor(SEED + 1, 10);
    const logger = createLogger({ base: { component: 'quota-test' }, level: 'error', write: () => {} });
    // Each "container" has its own memory (no shared known-contacts cache); only the table is shared.
    const containerDeps = (): AttemptDeps =>
      ({
        store: h.sandbox.store,
        logger,
        settings: { fromNumber: LINE, newContacts: QUOTA },
        knownContacts: new Map(),
        now: () => new Date(),
        sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
      }) as unknown as AttemptDeps;
    const outcomes = await Promise.all(
      people.map((number, i) =>
        passNewContactQuota(containerDeps(), line, { commandId: `race-${SEED}-${i}`, state: {} } as never, {
          type: 'send_group_message',
          numbers: [number],
          content: 'hi',
          from_number: line,
        }),
      ),
    );
    const went = outcomes.filter((outcome) => outcome === undefined).length;
    expect(went, `seed ${SEED}`).toBe(3);
    expect(outcomes.filter((outcome) => outcome?.kind === 'quota-wait')).toHaveLength(7);
    const record = await h.sandbox.store.readContactQuota(line);
    expect(record.spends.reduce((total, spend) => total + spend.count, 0)).toBe(3);
    // A redelivery of a command that spent goes again without spending.
    const spender = record.spends[0]!.command;
    const index = Number(spender.split('-').pop());
    expect(
      await passNewContactQuota(containerDeps(), line, { commandId: spender, state: {} } as never, {
        type: 'send_group_message',
        numbers: [people[index]!],
        content: 'hi',
        from_number: line,
      }),
    ).toBeUndefined();
    expect((await h.sandbox.store.readContactQuota(line)).version).toBe(record.version);
  });
});
