/**
 * Outages a test causes, seen by the official SDK over real HTTP: the port refusing connections
 * (ECONNREFUSED, then the same port and the same state again), and every call, or every call
 * naming one line, answered 503 for a while, with those calls countable per line in the log.
 */
import { APIConnectionError, InternalServerError } from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, C, D, KEY, LINE, LINE2, SECRET, apiError, sdkClient, useSimulator } from './support.js';
import { startSendblueSimulator } from '../../../../sandbox/sendblue-simulator/index.js';

const fx = useSimulator({
  lines: [LINE, LINE2],
  receivePath: '/receive',
  webhookSecret: 'hook',
  statusDelaysMs: { sent: 5, delivered: 10 },
});

/** The error code under a rejected fetch or SDK call (undici puts it on the cause). */
function codeOf(error: unknown): string | undefined {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
async function refused(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/__simulator/requests`);
    return false;
  } catch (error) {
    return codeOf(error) === 'ECONNREFUSED';
  }
}
/** Waits (bounded) for something the server does on its own schedule. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await condition()); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await condition()).toBe(true);
}

describe('refuse: the port is closed for a while', () => {
  it('a call is refused (the request never left), then the same port answers with the same state', async () => {
    const sent = await fx.client.groups.sendMessage({ numbers: [A, B], content: 'before', from_number: LINE });
    const url = fx.sim.url;
    await fx.sim.refuseConnectionsFor(1_500);
    const error = await apiError(
      fx.client.groups.sendMessage({ numbers: [A, B], content: 'during', from_number: LINE }),
    );
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(codeOf(error)).toBe('ECONNREFUSED');
    expect(await refused(url)).toBe(true); // control endpoints too
    await fx.sim.startOutage({ kind: 'refuse', ms: 1_500 }); // again while refusing: no harm, a new end

    await fx.sim.listening();
    expect(fx.sim.url).toBe(url);
    const after = await fx.client.groups.sendMessage({ numbers: [A, B], content: 'after', from_number: LINE });
    expect((after as { group_id: string }).group_id).toBe((sent as { group_id: string }).group_id);
    expect(fx.sim.sentMessages().map((m) => m.content)).toEqual(['before', 'after']);
    // Nothing reached the simulator while it refused: the log has the two sends only.
    expect(fx.sim.requests.map((r) => r.body && (r.body as { content: string }).content)).toEqual(['before', 'after']);
    // Webhooks are Sendblue's outbound traffic: they went on during the outage.
    await fx.sim.idle();
    expect(fx.sim.callbacks.every((c) => c.delivered)).toBe(true);
  });

  it('POST /__simulator/outage {"kind":"refuse"} answers, then closes (control endpoints too); endOutages() reopens', async () => {
    const answer = await fx.control('outage', { method: 'POST', body: JSON.stringify({ kind: 'refuse', ms: 60_000 }) });
    expect(answer.status).toBe(200);
    expect(answer.body.outage.refuse.until).toEqual(expect.any(String));
    await until(() => refused(fx.sim.url));
    expect(await refused(fx.sim.url)).toBe(true);
    await fx.sim.endOutages();
    expect(await refused(fx.sim.url)).toBe(false);
    expect((await fx.control('outage')).body.outage).toEqual({ refuse: null, unavailable: [] });
  });

  it('reset() ends a refusal at once; stop() during one closes for good (no reopen)', async () => {
    await fx.sim.refuseConnectionsFor(60_000);
    expect(await refused(fx.sim.url)).toBe(true);
    fx.sim.reset();
    await fx.sim.listening();
    expect((await fx.client.lines.getState()).status).toBe('OK');

    const own = await startSendblueSimulator({ apiKeyId: KEY, apiSecretKey: SECRET, lines: [LINE] });
    await own.refuseConnectionsFor(100);
    await own.stop();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await refused(own.url)).toBe(true);
  });

  it('cuts a call that was in flight when the port closed', async () => {
    fx.sim.injectFault({ kind: 'hang', route: 'send' });
    const slow = sdkClient(fx.sim, { timeout: 5_000 });
    const pending = apiError(slow.groups.sendMessage({ numbers: [A, B], content: 'x', from_number: LINE }));
    await until(async () => fx.sim.requests.length === 1);
    await fx.sim.refuseConnectionsFor(200);
    const error = await pending;
    expect(error).toBeInstanceOf(APIConnectionError);
    await fx.sim.listening();
  });
});

describe('503: every call, or the calls naming one line', () => {
  it('answers every API call 503 (before checking credentials), marks them in the log, then recovers', async () => {
    await fx.sim.unavailableFor(60_000);
    const send = await apiError(fx.client.groups.sendMessage({ numbers: [A, B], content: 'x', from_number: LINE }));
    expect(send).toBeInstanceOf(InternalServerError);
    expect(send.status).toBe(503);
    expect(send.error).toMatchObject({ status: 'ERROR', error: 'service_unavailable' });
    expect((await apiError(fx.client.lines.getState())).status).toBe(503);
    expect((await fx.raw('/api/v2/messages', { auth: false })).status).toBe(503);
    // The control endpoints still answer.
    expect((await fx.control('outage')).body.outage.unavailable).toEqual([{ until: expect.any(String), line: null }]);
    expect(fx.sim.requests.map((r) => [r.status, r.outage])).toEqual([
      [503, '503'],
      [503, '503'],
      [503, '503'],
    ]);
    expect(fx.sim.sentMessages()).toEqual([]);

    await fx.sim.endOutages();
    expect((await fx.client.groups.sendMessage({ numbers: [A, B], content: 'x', from_number: LINE })).status).toBe(
      'QUEUED',
    );
  });

  it('ends by itself after ms', async () => {
    await fx.sim.unavailableFor(1_000);
    expect((await apiError(fx.client.lines.getState())).status).toBe(503);
    await until(async () => (await fx.raw('/api/v2/lines/state')).status === 200);
  });

  it('one line down: its calls answer 503 and are countable per line; the other line and account-wide reads go on', async () => {
    const g1 = fx.sim.createGroup([A, B, C, D]);
    const g2 = fx.sim.createGroup([A, B], undefined, { lines: [LINE2] });
    const handle = (await fx.client.groups.sendMessage({ group_id: g1.group_id, content: 'm', from_number: LINE }))
      .message_handle!;
    const answer = await fx.control('outage', {
      method: 'POST',
      body: JSON.stringify({ kind: '503', ms: 60_000, line: LINE }),
    });
    expect(answer.body.outage.unavailable).toEqual([{ until: expect.any(String), line: LINE }]);

    const down = [
      () => fx.client.groups.sendMessage({ group_id: g1.group_id, content: 'x', from_number: LINE }),
      () => fx.client.groups.sendMessage({ numbers: [C, D], content: 'x', from_number: LINE }),
      // No from_number: the group's line is the one it goes through.
      () => fx.client.groups.modify({ group_id: g1.group_id, modify_type: 'remove_recipient', number: D }),
      () => fx.client.v2.groups.retrieve(g1.group_id),
      () => fx.client.messages.getStatus({ handle }),
      () => fx.client.messages.list({ sendblue_number: LINE } as never),
    ];
    for (const call of down) expect((await apiError(call())).status).toBe(503);
    expect(
      (await fx.client.groups.sendMessage({ group_id: g2.group_id, content: 'y', from_number: LINE2 })).status,
    ).toBe('QUEUED');
    expect((await fx.client.lines.getState()).status).toBe('OK');
    expect((await fx.client.messages.list()).status).toBe('OK');

    const probes = (line: string) => fx.sim.requests.filter((r) => r.line === line && r.outage === '503').length;
    expect(probes(LINE)).toBe(down.length);
    expect(probes(LINE2)).toBe(0);
    expect(fx.sim.requests.filter((r) => r.line === LINE2).map((r) => r.status)).toEqual([200]);
  });

  it('checks an outage: kind, ms, line (a line of the account; 503 only)', async () => {
    const bad = [
      { kind: 'flood', ms: 10 },
      { kind: 'refuse' },
      { kind: '503', ms: 0 },
      { kind: '503', ms: 1.5 },
      { kind: '503', ms: 10, line: '+15559999999' },
      { kind: 'refuse', ms: 10, line: LINE },
      [1],
    ];
    for (const body of bad)
      expect((await fx.control('outage', { method: 'POST', body: JSON.stringify(body) })).status).toBe(400);
    await expect(fx.sim.startOutage({ kind: '503', ms: -1 })).rejects.toThrow(/ms must be/);
    expect((await fx.control('outage')).body.outage).toEqual({ refuse: null, unavailable: [] });
  });

  it('the injectable 503 fault answers one call 503', async () => {
    fx.sim.injectFault({ kind: '503', route: 'send' });
    const error = await apiError(fx.client.groups.sendMessage({ numbers: [A, B], content: 'x', from_number: LINE }));
    expect(error.status).toBe(503);
    expect(fx.sim.requests[0]).toMatchObject({ status: 503, fault: '503', line: LINE });
    expect((await fx.client.groups.sendMessage({ numbers: [A, B], content: 'x', from_number: LINE })).status).toBe(
      'QUEUED',
    );
  });
});
