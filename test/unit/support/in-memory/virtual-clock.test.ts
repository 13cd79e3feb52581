/** The fast loop's virtual clock: timers in time order, ties in the order set, and a stuck loop named. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../support/in-memory/virtual-clock.js';

describe('the virtual clock', () => {
  it('wakes sleepers in time order (ties in the order they slept), moving time only when all else has settled', async () => {
    const clock = new VirtualClock(1_000);
    const woke: string[] = [];
    const sleeper = async (name: string, ms: number, again = 0) => {
      await clock.sleep(ms);
      woke.push(`${name}@${clock.nowMs()}`);
      if (again) {
        await clock.sleep(again);
        woke.push(`${name}@${clock.nowMs()}`);
      }
    };
    void sleeper('b', 50);
    void sleeper('a', 10, 100);
    void sleeper('c', 50);
    const cancelled = clock.at(1_020);
    cancelled.cancel();
    void cancelled.promise.then(() => woke.push('cancelled'));
    await clock.runUntil(() => woke.length === 4, { limitMs: 1_000 });
    expect(woke).toEqual(['a@1010', 'b@1050', 'c@1050', 'a@1110']);
    expect(clock.now().toISOString()).toBe(new Date(1_110).toISOString());
  });

  it('says the loop is stuck when nothing is left to wait for, or past its limit', async () => {
    const clock = new VirtualClock(0);
    await expect(clock.runUntil(() => false, { limitMs: 1_000, describe: () => '3 open' })).rejects.toThrow(
      'the loop is stuck (no timer left): 3 open',
    );
    const ticking = async () => {
      for (;;) await clock.sleep(100);
    };
    void ticking();
    await expect(clock.runUntil(() => false, { limitMs: 1_000 })).rejects.toThrow(/still running after 1000 ms/);
  });
});
