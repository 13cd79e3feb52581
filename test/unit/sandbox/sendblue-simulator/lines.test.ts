/**
 * The account's lines on the simulator: GET /api/v2/lines/state through the official SDK
 * (`client.lines.getState`), GET /api/v2/lines/usage over plain HTTP (the SDK has no method for
 * it), switching a line's state by method and by control endpoint, and what an OFFLINE line does
 * to sends, changes and renames.
 */
import { InternalServerError } from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, C, D, KEY, LINE, LINE2, SECRET, apiError, sdkClient, useSimulator } from './support.js';
import { startSendblueSimulator } from '../../../../sandbox/sendblue-simulator/index.js';

const fx = useSimulator({ lines: [LINE, LINE2], lineRateLimit: { perSecond: 1, burst: 3 } });

const usageOf = async (line: string) => {
  const { status, body } = await fx.raw('/api/v2/lines/usage');
  expect(status).toBe(200);
  return (body.lines as Array<Record<string, any>>).find((entry) => entry.phone === line)!;
};

describe('GET /api/v2/lines/state', () => {
  it('lists every line ONLINE at first, in the SDK shape', async () => {
    const state = await fx.client.lines.getState();
    expect(state).toEqual({
      status: 'OK',
      snapshot_at: expect.any(String),
      data: [
        {
          assignment: 'assigned',
          sendblue_number: LINE,
          status: 'ONLINE',
          worker_id: expect.any(String),
          degraded_since: null,
          effective_until: null,
          status_changed_at: null,
        },
        expect.objectContaining({ sendblue_number: LINE2, status: 'ONLINE' }),
      ],
    });
    expect(Date.parse(state.snapshot_at)).toBeGreaterThan(Date.now() - 5_000);
  });

  it('shows a state switched by method or control endpoint, with when it changed; bad switches are refused', async () => {
    fx.sim.setLineState(LINE2, 'DEGRADED');
    let state = await fx.client.lines.getState();
    const degraded = state.data.find((line) => line.sendblue_number === LINE2)!;
    expect(degraded).toMatchObject({ status: 'DEGRADED', degraded_since: expect.any(String) });
    expect(degraded.status_changed_at).toBe(degraded.degraded_since);
    expect(fx.sim.lineState(LINE2)).toBe('DEGRADED');

    const switched = await fx.control(`lines/${LINE}/state`, { method: 'POST', body: '{"state":"OFFLINE"}' });
    expect(switched.status).toBe(200);
    expect(switched.body.state.data[0]).toMatchObject({ sendblue_number: LINE, status: 'OFFLINE' });
    // The number percent-encoded works too, and so does the field's name in lines/state.
    expect(
      (await fx.control(`lines/${encodeURIComponent(LINE2)}/state`, { method: 'POST', body: '{"status":"ONLINE"}' }))
        .status,
    ).toBe(200);
    state = await fx.client.lines.getState();
    expect(state.data.map((line) => [line.sendblue_number, line.status])).toEqual([
      [LINE, 'OFFLINE'],
      [LINE2, 'ONLINE'],
    ]);
    expect(state.data[1]!.degraded_since).toBeNull();

    const refused = [
      await fx.control(`lines/${LINE}/state`, { method: 'POST', body: '{"state":"ASLEEP"}' }),
      await fx.control(`lines/${LINE}/state`, { method: 'POST', body: '{oops' }),
      await fx.control('lines/+15559999999/state', { method: 'POST', body: '{"state":"OFFLINE"}' }),
      await fx.control(`lines/${LINE}/nothing`, { method: 'POST', body: '{}' }),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([400, 400, 404, 404]);
    expect(() => fx.sim.setLineState('+15559999999', 'OFFLINE')).toThrow(/not a line/);
    expect(() => fx.sim.setLineState(LINE, 'ASLEEP' as never)).toThrow(/ONLINE, DEGRADED or OFFLINE/);
    expect(fx.sim.lineState(LINE)).toBe('OFFLINE');
  });

  it('reset() brings every line back ONLINE', async () => {
    fx.sim.setLineState(LINE, 'OFFLINE');
    fx.sim.reset();
    expect(fx.sim.lineState(LINE)).toBe('ONLINE');
  });
});

describe('an OFFLINE line', () => {
  it('refuses sends, changes and reactions from it with 503 line_offline, stores nothing, and the other line still sends', async () => {
    const group = fx.sim.createGroup([A, B, C, D]);
    const handle = (await fx.client.groups.sendMessage({ group_id: group.group_id, content: 'hi', from_number: LINE }))
      .message_handle!;
    fx.sim.setLineState(LINE, 'OFFLINE');

    const send = await apiError(fx.client.groups.sendMessage({ numbers: [A, B], content: 'x', from_number: LINE }));
    expect(send).toBeInstanceOf(InternalServerError);
    expect(send.status).toBe(503);
    expect(send.error).toMatchObject({ status: 'ERROR', error: 'line_offline', line: LINE, line_state: 'OFFLINE' });
    const modify = await apiError(
      fx.client.groups.modify({ group_id: group.group_id, modify_type: 'remove_recipient', number: D }),
    );
    expect(modify.status).toBe(503);
    const reaction = await fx.raw('/api/send-reaction', {
      method: 'POST',
      body: JSON.stringify({ from_number: LINE, message_handle: handle, reaction: 'like' }),
    });
    expect(reaction.status).toBe(503);
    expect(fx.sim.group(group.group_id)?.members).toEqual([A, B, C, D]);
    expect(fx.sim.sentMessages()).toHaveLength(1);

    const other = await fx.client.groups.sendMessage({ numbers: [C, D], content: 'x', from_number: LINE2 });
    expect(other.status).toBe('QUEUED');
    expect(fx.sim.requests.map((request) => [request.line, request.status])).toEqual([
      [LINE, 200],
      [LINE, 503],
      [LINE, 503],
      [LINE, 503],
      [LINE2, 200],
    ]);
  });

  it('DEGRADED still sends; a rename picks an online line of the group unless from_number names the offline one', async () => {
    fx.sim.setLineState(LINE, 'DEGRADED');
    expect(
      (await fx.client.groups.sendMessage({ numbers: [A, B], content: 'slow but fine', from_number: LINE })).status,
    ).toBe('QUEUED');

    const both = fx.sim.createGroup([A, B], 'Both', { lines: [LINE, LINE2] });
    fx.sim.setLineState(LINE, 'OFFLINE');
    const renamed = await fx.client.v2.groups.rename(both.group_id, { group_name: 'Renamed' });
    expect(renamed.data.from_number).toBe(LINE2);
    const named = await apiError(
      fx.client.v2.groups.rename(both.group_id, { group_name: 'No', from_number: LINE } as never),
    );
    expect(named.status).toBe(503);
    expect(fx.sim.group(both.group_id)?.name).toBe('Renamed');
  });
});

describe('GET /api/v2/lines/usage', () => {
  it('reports per line the new contacts of the hour and the day and the rate, in the documented shape', async () => {
    await fx.client.groups.sendMessage({ numbers: [A, B], content: 'one', from_number: LINE });
    const { body } = await fx.raw('/api/v2/lines/usage');
    expect(body).toMatchObject({ status: 'OK', enabled: false });
    const usage = (body.lines as Array<Record<string, any>>)[0]!;
    expect(usage).toEqual({
      phone: LINE,
      state: 'available',
      sampledAt: expect.any(String),
      newContactLookbackDays: 30,
      hourly: { used: 2, limit: 15, remaining: 13, nextSlotAt: expect.any(String) },
      daily: {
        used: 2,
        limit: 50,
        remaining: 48,
        nextSlotAt: usage.daily.resetsAt,
        resetsAt: expect.any(String),
      },
      availableAt: null,
      sends: { perSecond: 1, burst: 3, available: expect.any(Number), nextSlotAt: expect.any(String), total: 1 },
    });
    // One of the three tokens taken (and maybe refilled already, on a slow machine).
    expect([2, 3]).toContain(usage.sends.available);
    // A token is there now: the next slot is the moment of the reading.
    expect(Math.abs(Date.parse(usage.sends.nextSlotAt) - Date.parse(usage.sampledAt))).toBeLessThan(1_000);
    // The slot of the first new contact frees an hour after it was messaged; the day resets at 3am New York time.
    const sentAt = Date.parse(fx.sim.sentMessages()[0]!.date_created);
    expect(Math.abs(Date.parse(usage.hourly.nextSlotAt) - sentAt - 3_600_000)).toBeLessThan(1_000);
    const resets = new Date(usage.daily.resetsAt);
    expect(resets.getUTCHours() === 7 || resets.getUTCHours() === 8).toBe(true); // 3am EDT or EST
    expect(resets.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);

    expect(await usageOf(LINE2)).toMatchObject({
      hourly: { used: 0, remaining: 15, nextSlotAt: null },
      daily: { used: 0, nextSlotAt: null },
      sends: { total: 0, available: 3 },
    });
  });

  it('counts a number once per line: a second send to it, or a member who wrote first, is no new contact', async () => {
    const group = fx.sim.createGroup([C, D]);
    await fx.sim.memberReply(group.group_id, { from: C, content: 'hello?' });
    await fx.client.groups.sendMessage({ group_id: group.group_id, content: 'hi', from_number: LINE });
    await fx.client.groups.sendMessage({ group_id: group.group_id, content: 'again', from_number: LINE });
    expect((await usageOf(LINE)).hourly.used).toBe(1); // D only: C wrote first
    await fx.client.groups.sendMessage({ numbers: [C, D], content: 'from the other line', from_number: LINE2 });
    expect((await usageOf(LINE2)).hourly.used).toBe(2);
  });

  it('shows the line out of sends when its bucket is empty, and when the next one comes', async () => {
    // A token every 100 s: nothing refills while the test runs, however slow the machine.
    const slow = await startSendblueSimulator({
      apiKeyId: KEY,
      apiSecretKey: SECRET,
      lines: [LINE],
      lineRateLimit: { perSecond: 0.01, burst: 3 },
    });
    try {
      const client = sdkClient(slow);
      for (let i = 0; i < 3; i += 1)
        await client.groups.sendMessage({ numbers: [A], content: `${i}`, from_number: LINE });
      expect(
        (await apiError(client.groups.sendMessage({ numbers: [A], content: 'x', from_number: LINE }))).status,
      ).toBe(429);
      const usage = (await (
        await fetch(`${slow.url}/api/v2/lines/usage`, {
          headers: { 'sb-api-key-id': KEY, 'sb-api-secret-key': SECRET },
        })
      ).json()) as Record<string, any>;
      expect(usage.lines[0].sends).toMatchObject({ perSecond: 0.01, burst: 3, available: 0, total: 3 });
      const wait = Date.parse(usage.lines[0].sends.nextSlotAt) - Date.parse(usage.lines[0].sampledAt);
      expect(wait).toBeGreaterThan(90_000);
      expect(wait).toBeLessThanOrEqual(100_000);
    } finally {
      await slow.stop();
    }
  });

  it('says offline for an OFFLINE line (also on the control endpoint)', async () => {
    fx.sim.setLineState(LINE2, 'OFFLINE');
    expect((await usageOf(LINE2)).state).toBe('offline');
    expect((await fx.control('lines')).body.usage.lines[1].state).toBe('offline');
  });
});
