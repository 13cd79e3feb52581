/**
 * Injected faults as the SDK sees them, the control endpoints another process uses, and
 * reset()/stop() with requests that never got an answer.
 */
import SendblueAPI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  RateLimitError,
} from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, C, D, KEY, LINE, SECRET, sdkClient, useSimulator } from './support.js';
import { startSendblueSimulator } from '../../../../sandbox/sendblue-simulator/index.js';

const fx = useSimulator({
  receivePath: '/receive',
  webhookSecret: 'hook-secret',
  statusDelaysMs: { sent: 5, delivered: 10 },
});
/** For hang faults: gives up quickly. */
const impatient = () => sdkClient(fx.sim, { timeout: 300 });

const sendBody = { numbers: [A, B], content: 'hello', from_number: LINE };
async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be rejected');
}
/** Waits (bounded) for something the server does on its own schedule, such as parking a hung request. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}
const control = fx.control;

describe('answering faults: nothing stored', () => {
  it.each([
    ['429', RateLimitError, 429],
    ['500', InternalServerError, 500],
    ['400', BadRequestError, 400],
    ['408', APIError, 408],
    ['409', ConflictError, 409],
  ] as const)(
    '%s: the SDK gets that status, nothing is stored, the next call works',
    async (kind, errorClass, status) => {
      fx.sim.injectFault({ kind });
      const error = await rejection(fx.client.groups.sendMessage(sendBody));
      expect(error).toBeInstanceOf(errorClass);
      expect((error as APIError).status).toBe(status);
      expect((error as APIError).error).toMatchObject({ status: 'ERROR', message: expect.any(String) });
      if (kind === '429')
        expect((error as APIError).error).toMatchObject({
          error: 'rate_limited',
          message: 'Too many requests (simulated)',
        });
      expect(fx.sim.sentMessages()).toEqual([]);
      expect(fx.sim.requests[0]).toMatchObject({ status, fault: kind });
      await fx.sim.idle();
      expect(fx.sim.callbacks).toEqual([]);

      expect((await fx.client.groups.sendMessage(sendBody)).status).toBe('QUEUED');
      expect(fx.sim.sentMessages()).toHaveLength(1);
    },
  );

  it('cut (before the request is processed): a connection error, and nothing is stored', async () => {
    fx.sim.injectFault({ kind: 'cut', route: 'send' });
    const error = await rejection(fx.client.groups.sendMessage(sendBody));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(fx.sim.sentMessages()).toEqual([]);
    expect(fx.sim.requests[0]).toMatchObject({ status: 'cut', fault: 'cut' });
    expect(fx.sim.requests[0]!.processedStatus).toBeUndefined();
  });

  it('hang: the SDK times out and nothing is stored', async () => {
    fx.sim.injectFault({ kind: 'hang', route: 'send' });
    const error = await rejection(impatient().groups.sendMessage(sendBody));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(fx.sim.sentMessages()).toEqual([]);
    expect(fx.sim.requests[0]).toMatchObject({ status: 'hang', fault: 'hang' });
  });
});

describe('accepting faults: stored, but the caller never hears', () => {
  it('accept-then-cut: a connection error (not a timeout), yet the message is stored, listed and its callbacks sent', async () => {
    fx.sim.injectFault({ kind: 'accept-then-cut' });
    const error = await rejection(
      fx.client.groups.sendMessage({ ...sendBody, status_callback: `${fx.receiver.url}/status` } as never),
    );
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    const stored = fx.sim.sentMessages();
    expect(stored).toHaveLength(1);
    expect(fx.sim.requests[0]).toMatchObject({ status: 'cut', processedStatus: 200, fault: 'accept-then-cut' });
    // What the sender does after an unclear outcome: look the message up before sending again.
    const listed = await fx.client.messages.list({ group_id: stored[0]!.group_id });
    expect(listed.data?.map((m) => m.message_handle)).toEqual([stored[0]!.message_handle]);
    await fx.sim.idle();
    expect(fx.receiver.received.map((r) => (r.body as { status: string }).status)).toEqual(['SENT', 'DELIVERED']);
  });

  it('accept-then-hang: the SDK times out, the message is stored', async () => {
    fx.sim.injectFault({ kind: 'accept-then-hang', route: 'send' });
    const error = await rejection(impatient().groups.sendMessage(sendBody));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(fx.sim.sentMessages()).toHaveLength(1);
    expect(fx.sim.requests[0]).toMatchObject({ status: 'hang', processedStatus: 200 });
  });

  it('accept-then-cut on a request that breaks a rule still stores nothing', async () => {
    fx.sim.injectFault({ kind: 'accept-then-cut' });
    await rejection(fx.client.groups.sendMessage({ ...sendBody, from_number: '+15559999999' }));
    expect(fx.sim.sentMessages()).toEqual([]);
    expect(fx.sim.requests[0]).toMatchObject({ status: 'cut', processedStatus: 400 });
  });
});

describe('fault matching', () => {
  it('applies count times, only to its route, after auth, oldest first; clearFaults drops the rest', async () => {
    const group = fx.sim.createGroup([A, B, C, D]);
    fx.sim.injectFault({ kind: '429', count: 2, route: 'modify' });
    fx.sim.injectFault({ kind: '500', route: 'rename' });
    fx.sim.injectFault({ kind: '400', route: 'any' });

    // A 401 consumes nothing.
    const stranger = new SendblueAPI({ apiKey: KEY, apiSecret: 'wrong', baseURL: fx.sim.url, maxRetries: 0 });
    expect(((await rejection(stranger.messages.list())) as APIError).status).toBe(401);

    const modify = () =>
      fx.client.groups.modify({ group_id: group.group_id, modify_type: 'add_recipient', number: '+14155550199' });
    // The 'any' fault is consumed by the first call that no older fault matched.
    expect(((await rejection(fx.client.messages.list())) as APIError).status).toBe(400);
    expect(((await rejection(modify())) as APIError).status).toBe(429);
    expect((await fx.client.groups.sendMessage(sendBody)).status).toBe('QUEUED');
    expect(
      ((await rejection(fx.client.v2.groups.rename(group.group_id, { group_name: 'X' }))) as APIError).status,
    ).toBe(500);
    expect(((await rejection(modify())) as APIError).status).toBe(429);
    expect((await modify()).status).toBe('OK');

    fx.sim.injectFault({ kind: '500', count: 5 });
    fx.sim.clearFaults();
    expect((await fx.client.messages.list()).status).toBe('OK');
    expect(() => fx.sim.injectFault({ kind: 'explode' as never })).toThrow(/kind/);
    expect(() => fx.sim.injectFault({ kind: '500', count: 0 })).toThrow(/count/);
  });
});

describe('fault mix', () => {
  const outcomes = async (seed: number) => {
    fx.sim.reset();
    fx.sim.setFaultMix({ seed, rate: 0.5, kinds: { '500': 1, '429': 1, '400': 1 }, routes: ['read'] });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i += 1)
      statuses.push(
        await fx.client.messages.list().then(
          () => 200,
          (error: APIError) => error.status ?? 0,
        ),
      );
    return statuses;
  };

  it('faults a seeded share of calls on its routes, the same way for the same seed', async () => {
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    expect(await outcomes(8)).not.toEqual(first);
    const faulted = first.filter((status) => status !== 200).length;
    expect(faulted).toBeGreaterThan(8);
    expect(faulted).toBeLessThan(32);
    expect(new Set(first.filter((status) => status !== 200))).toEqual(new Set([500, 429, 400]));
    // Not on other routes; listed faults come first; clearFaults ends the mix.
    expect((await fx.client.groups.sendMessage(sendBody)).status).toBe('QUEUED');
    fx.sim.clearFaults();
    for (let i = 0; i < 10; i += 1) expect((await fx.client.messages.list()).status).toBe('OK');
  });

  it('is set over the control endpoint, which checks it', async () => {
    const set = await control('fault-mix', {
      method: 'POST',
      body: JSON.stringify({ seed: 1, rate: 1, kinds: { cut: 1 }, routes: ['send'] }),
    });
    expect(set.status).toBe(200);
    expect(await rejection(fx.client.groups.sendMessage(sendBody))).toBeInstanceOf(APIConnectionError);
    for (const bad of [
      { seed: 1.5, rate: 0.1, kinds: { cut: 1 } },
      { seed: 1, rate: 2, kinds: { cut: 1 } },
      { seed: 1, rate: 0.1, kinds: { boom: 1 } },
      { seed: 1, rate: 0.1, kinds: { cut: 1 }, routes: ['nowhere'] },
    ]) {
      expect((await control('fault-mix', { method: 'POST', body: JSON.stringify(bad) })).status).toBe(400);
    }
  });
});

describe('the per-line send limit (Sendblue: about 1 per second, bursts of 10)', () => {
  it('answers 429 beyond a burst of 10 on one line, refills at 1 per second, and other lines are separate', async () => {
    const other = '+15550000001';
    const limited = await startSendblueSimulator({
      apiKeyId: KEY,
      apiSecretKey: SECRET,
      lines: [LINE, other],
      retryAfterSeconds: 2,
    });
    try {
      const limitedClient = sdkClient(limited);
      const send = (from: string) =>
        limitedClient.groups.sendMessage({ ...sendBody, from_number: from }).then(
          () => 200,
          (error: APIError) => error,
        );
      const burst = await Promise.all(Array.from({ length: 12 }, () => send(LINE)));
      expect(burst.filter((result) => result === 200)).toHaveLength(10);
      const refused = burst.filter((result) => result !== 200) as APIError[];
      expect(refused.map((error) => error.status)).toEqual([429, 429]);
      expect(refused[0]!.headers?.get('retry-after')).toBe('2');
      expect(await send(other)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_050));
      expect(await send(LINE)).toBe(200);
      expect(await send(LINE)).not.toBe(200);
      expect(limited.sentMessages()).toHaveLength(12);
    } finally {
      await limited.stop();
    }
  });
});

describe('control endpoints', () => {
  it('inject and clear faults, list requests without secrets, make a member reply, reset', async () => {
    const injected = await control('faults', {
      method: 'POST',
      body: JSON.stringify({ kind: '500', count: 2, route: 'send' }),
    });
    expect(injected).toEqual({
      status: 200,
      body: { status: 'OK', faults: [{ kind: '500', route: 'send', count: 2 }] },
    });
    expect((await control('faults', { method: 'POST', body: JSON.stringify({ kind: 'nope' }) })).status).toBe(400);
    expect((await control('faults', { method: 'POST', body: '{oops' })).status).toBe(400);
    expect(((await rejection(fx.client.groups.sendMessage(sendBody))) as APIError).status).toBe(500);
    expect((await control('faults', { method: 'DELETE' })).status).toBe(200);
    const sent = await fx.client.groups.sendMessage(sendBody);

    const requests = await control('requests');
    expect(requests.status).toBe(200);
    expect((requests.body.requests as Array<{ path: string; status: number }>).map((r) => [r.path, r.status])).toEqual([
      ['/api/send-group-message', 500],
      ['/api/send-group-message', 200],
    ]);
    expect(JSON.stringify(requests.body)).not.toContain(SECRET);

    const groupId = (sent as { group_id: string }).group_id;
    const reply = await control('reply', {
      method: 'POST',
      body: JSON.stringify({ group_id: groupId, content: 'from the shell' }),
    });
    expect(reply.status).toBe(200);
    expect(reply.body.message).toMatchObject({
      group_id: groupId,
      content: 'from the shell',
      from_number: A,
      is_outbound: false,
    });
    expect(
      fx.receiver.received.map((r) => [
        r.path,
        r.headers['sb-signing-secret'],
        (r.body as { content: string }).content,
      ]),
    ).toEqual([['/receive', 'hook-secret', 'from the shell']]);
    expect(
      (await control('reply', { method: 'POST', body: JSON.stringify({ group_id: 'sb_group_nope' }) })).status,
    ).toBe(404);
    expect((await control('reply', { method: 'POST', body: JSON.stringify({}) })).status).toBe(400);
    expect((await control('whatever')).status).toBe(404);

    expect((await control('reset', { method: 'POST' })).status).toBe(200);
    expect(fx.sim.messages()).toEqual([]);
    expect(fx.sim.requests).toEqual([]);
  });
});

describe('reset and stop with a hung request', () => {
  it('reset() drops a hung request (the caller sees the connection close) and forgets everything', async () => {
    const kept = await fx.client.groups.sendMessage(sendBody);
    fx.sim.injectFault({ kind: 'hang', count: 3 });
    const started = Date.now();
    const pending = rejection(fx.client.messages.list());
    await until(() => fx.sim.requests.some((r) => r.status === 'hang'));
    fx.sim.reset();
    const error = await pending;
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fx.sim.requests).toEqual([]);
    expect(fx.sim.group((kept as { group_id: string }).group_id)).toBeUndefined();
    expect((await fx.client.messages.list()).data).toEqual([]); // the remaining faults went too
  });

  it('stop() returns promptly with a hung request and pending callbacks, and the caller is released', async () => {
    const own = await startSendblueSimulator({
      apiKeyId: KEY,
      apiSecretKey: SECRET,
      lines: [LINE],
      statusDelaysMs: { sent: 10_000, delivered: 20_000 },
    });
    const ownClient = new SendblueAPI({
      apiKey: KEY,
      apiSecret: SECRET,
      baseURL: own.url,
      maxRetries: 0,
      timeout: 5000,
    });
    await ownClient.groups.sendMessage({ ...sendBody, status_callback: `${fx.receiver.url}/late` } as never);
    own.injectFault({ kind: 'accept-then-hang' });
    const pending = rejection(ownClient.groups.sendMessage(sendBody));
    await until(() => own.requests.some((r) => r.status === 'hang'));

    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(APIConnectionError);
    await own.idle();
    expect(own.callbacks).toEqual([]);
    expect(fx.receiver.received).toEqual([]);
    await own.stop(); // a second stop is harmless
    expect(await rejection(fetch(`${own.url}/api/v2/messages`))).toBeInstanceOf(Error);
  });
});
