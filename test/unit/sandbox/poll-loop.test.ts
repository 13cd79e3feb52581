import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../lambdas/platform/logger.js';
import { createPollLoop, type PollOutcome } from '../../../sandbox/poll-loop.js';

/** A poll whose outcomes the test hands out one at a time, recording whether someone waited. */
function scriptedPoll() {
  const asked: boolean[] = [];
  const queue: Array<(outcome: PollOutcome) => void> = [];
  let arrived: () => void = () => {};
  return {
    asked,
    poll(someoneWaits: boolean): Promise<PollOutcome> {
      asked.push(someoneWaits);
      arrived();
      return new Promise((resolve) => queue.push(resolve));
    },
    /** Waits for the loop to be inside a poll, then ends that poll with `outcome`. */
    async answer(outcome: PollOutcome): Promise<void> {
      while (!queue.length) await new Promise<void>((resolve) => (arrived = resolve));
      queue.shift()!(outcome);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('the pollers’ loop (sandbox/poll-loop.ts)', () => {
  it('releases a waiter only after a poll that began after it asked finds nothing', async () => {
    const script = scriptedPoll();
    const loop = createPollLoop({ name: 'test poller', poll: (waits) => script.poll(waits) });
    loop.start();
    await script.answer({ idle: false }); // first poll, nobody waiting yet
    const idle = loop.idle('stopped');
    // The poll in progress began before the call: even idle, it releases nobody.
    await script.answer({ idle: true });
    expect(await settled(idle)).toBe('pending');
    await script.answer({ idle: false }); // busy: the waiter is kept for the next poll
    expect(await settled(idle)).toBe('pending');
    await script.answer({ idle: true });
    expect(await settled(idle)).toBe('resolved');
    expect(script.asked.slice(0, 4)).toEqual([false, false, true, true]);
    const stopping = loop.stop();
    await script.answer({ idle: true });
    await stopping;
  });

  it('stop cuts a pause short, waits for the drain, and rejects waiters with their message', async () => {
    const script = scriptedPoll();
    let drained = false;
    const loop = createPollLoop({
      name: 'test poller',
      poll: (waits) => script.poll(waits),
      drain: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        drained = true;
      },
    });
    loop.start();
    expect(loop.running).toBe(true);
    await script.answer({ idle: false, pauseMs: 60_000 }); // now pausing for a minute
    const idle = loop.idle('the test poller stopped first');
    const started = Date.now();
    await loop.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(drained).toBe(true);
    expect(loop.running).toBe(false);
    expect(loop.stopRequested).toBe(true);
    await expect(idle).rejects.toThrow('the test poller stopped first');
  });

  it('logs an error that escapes a poll, ends the loop, and never rejects', async () => {
    const errors: string[] = [];
    const logger = { error: (message: string) => errors.push(message) } as unknown as Logger;
    const loop = createPollLoop({
      name: 'test poller',
      logger,
      poll: async () => {
        throw new Error('boom');
      },
    });
    const idle = loop.idle('ended');
    loop.start();
    await expect(idle).rejects.toThrow('ended');
    await loop.stop();
    expect(errors).toEqual(['test poller: stopped by an unexpected error']);
  });

  it('start is a no-op while running', async () => {
    let polls = 0;
    const loop = createPollLoop({
      name: 'test poller',
      poll: async () => {
        polls += 1;
        return { idle: true, pauseMs: 10 };
      },
    });
    loop.start();
    loop.start();
    await loop.idle('stopped');
    await loop.stop();
    const counted = polls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(polls).toBe(counted); // nothing polls after stop: only one loop ran
  });
});
