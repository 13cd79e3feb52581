/**
 * The central promise under a seeded fault mix, in memory (test/support/in-memory/): the real
 * sender (runFifoBatch + createCommandProcessor) fed by a simulated SQS FIFO queue and Lambda
 * event source on a virtual clock, with the production timings (5 attempts, 5 s to 300 s backoff,
 * 30 s settle delay, 40 s leases, 10 s Sendblue timeout, 30 s Lambda timeout, 180 s visibility).
 *
 * Per seed: 500 commands over 40 groups (sends, group changes and tapbacks), some pushed twice in their
 * group, some by a second producer in another group, some ids reused by a different command;
 * about 30% of Sendblue calls fail (500, 429, 400, hang, cut before or after Sendblue accepted),
 * checks included; 4% of table calls and 2% of queue calls fail before or after taking effect;
 * 3% of invocations crash mid-way; five invocations run at once. The oracles (fault-mix.ts) hold
 * for any correct failure policy: nothing sent twice, nothing lost, each group's order kept, the
 * DLQ only for refused or provably unsent commands, no accepted command failed, no command failed
 * but for a Sendblue refusal (4xx), the ledger agrees with Sendblue; a tapback is never sent twice
 * and ends `unknown` for good only when a call may have reached Sendblue (it cannot be checked).
 *
 * FAULT_SEED=<n> replays one seed; FAULT_SEEDS=<count> runs that many from it (default 20 seeds
 * from 20261201). The DynamoDB Local version: test/integration/lambdas/sending/fault-mix.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../sandbox/sendblue-simulator/faults.js';
import { judge, planFaultMix } from '../../../support/in-memory/fault-mix.js';
import { startSenderLoop } from '../../../support/in-memory/sender-loop.js';

const FIRST_SEED = Number(process.env.FAULT_SEED) || 20261201;
const SEED_COUNT = Number(process.env.FAULT_SEEDS) || (process.env.FAULT_SEED ? 1 : 20);
const SEEDS = Array.from({ length: SEED_COUNT }, (_, i) => FIRST_SEED + i);

describe('randomized fault mix, in memory', () => {
  it.each(SEEDS)(
    'seed %i: 500 commands, 0 duplicates, 0 lost, order kept, DLQ only for refused or unsent',
    async (seed) => {
      const loop = startSenderLoop({
        seed,
        faults: {
          sendblue: {
            rate: 0.3,
            routes: ['send', 'modify', 'rename', 'react', 'read'],
            kinds: { '500': 3, '429': 3, hang: 2, cut: 2, 'accept-then-cut': 3, 'accept-then-hang': 1, '400': 0.3 },
          },
          storage: 0.04,
          queue: 0.02,
          crash: 0.03,
        },
        maxLatencyMs: 50,
      });
      try {
        const random = seededRandom(seed ^ 0x5eed);
        const plan = planFaultMix(loop, random, String(seed), {
          commands: 500,
          groups: 40,
          newGroups: 3,
          duplicates: 0.05,
          crossGroupDuplicates: 0.02,
          reusedIds: 0.02,
          reactions: 0.06,
        });
        for (const push of plan.pushes) {
          loop.push(push.command as unknown as Record<string, unknown>, {
            groupId: push.groupId,
            dedupId: push.dedupId,
          });
        }
        const settled = await loop.settle(plan.commands.map((planned) => planned.id));
        const problems = await judge(loop, plan, settled);

        const calls = loop.sendblue.calls;
        const faulted = calls.filter((call) => call.fault).length;
        const failed = [...settled.values()].filter((item) => item.state === 'failed').length;
        const tapbacks = plan.commands.filter((planned) => planned.command.type === 'send_reaction');
        const tapbacksSent = tapbacks.filter((planned) => settled.get(planned.id)?.state === 'sent').length;
        const tapbacksUnknown = tapbacks.filter((planned) => settled.get(planned.id)?.state === 'unknown').length;
        const { storage, queue } = loop.injected;
        console.log(
          `fault mix seed ${seed} (replay: FAULT_SEED=${seed}): ${calls.length} Sendblue calls, ${faulted} faulted; ` +
            `storage faults ${JSON.stringify(storage.injected)}, queue faults ${JSON.stringify(queue.injected)}; ` +
            `${loop.stats.invocations} invocations, ${loop.stats.crashed} crashed, ${loop.stats.timedOut} timed out; ` +
            `${failed} failed (refused); tapbacks ${tapbacksSent} sent of ${tapbacks.length}, ${tapbacksUnknown} unknown for good; ${Math.round((loop.clock.nowMs() - Date.UTC(2026, 11, 1, 12)) / 60_000)} virtual minutes`,
        );
        expect(problems, `seed ${seed}: replay with FAULT_SEED=${seed}`).toEqual([]);
        // An outage or bad luck is not the command's fault: only Sendblue's refusals (4xx) end failed
        // (docs/sending.md "When Sendblue is down: an outage, not a failure").
        const notRefusals = [...settled.entries()]
          .filter(([, item]) => item.state === 'failed' && !/HTTP 4\d\d/.test(String(item.error)))
          .map(([id, item]) => `${id}: ${item.error}`);
        expect(notRefusals, `seed ${seed}: failed without a refusal`).toEqual([]);
        // The mix really struck everywhere it was meant to.
        expect(faulted).toBeGreaterThan(0.15 * calls.length);
        expect(storage.injected.before + storage.injected.after).toBeGreaterThan(0);
        expect(loop.stats.crashed + loop.stats.timedOut).toBeGreaterThan(0);
        expect(tapbacks.length).toBeGreaterThan(10);
        expect(tapbacksSent).toBeGreaterThan(tapbacks.length / 2);
      } finally {
        loop.stop();
      }
    },
  );
});
