/**
 * Group changes on the simulator through the SDK: modify-group (add/remove rules), the v2 rename
 * endpoint and the v2 group read.
 */
import type { APIError } from 'sendblue';
import { describe, expect, it } from 'vitest';
import { A, B, C, D, E, LINE, LINE2, apiError, useSimulator } from './support.js';
import { MAX_GROUP_MEMBERS, MIN_MEMBERS_FOR_REMOVE } from '../../../../lambdas/contract/sendblue-rules.js';

const fx = useSimulator({ lines: [LINE, LINE2] });

const messageOf = (error: APIError) => (error.error as { error_message: string }).error_message;

describe('POST /api/modify-group', () => {
  it('adds a recipient and answers Sendblue-style; adding a current member is refused (no change, no success)', async () => {
    const group = fx.sim.createGroup([A, B, C]);
    const added = await fx.client.groups.modify({
      group_id: group.group_id,
      modify_type: 'add_recipient',
      number: D,
      from_number: LINE,
    });
    expect(added).toEqual({
      status: 'OK',
      message: expect.any(String),
      group_id: group.group_id,
      modify_type: 'add_recipient',
      number: D,
    });
    expect(fx.sim.group(group.group_id)?.members).toEqual([A, B, C, D]);
    const again = await apiError(
      fx.client.groups.modify({ group_id: group.group_id, modify_type: 'add_recipient', number: D }),
    );
    expect(again.status).toBe(400);
    expect(again.error).toMatchObject({ error: 'already_a_member', error_message: expect.stringContaining('already') });
    expect(fx.sim.group(group.group_id)?.members).toEqual([A, B, C, D]);
    expect((await fx.client.v2.groups.retrieve(group.group_id)).data?.participant_numbers).toEqual([A, B, C, D]);

    // The group is now found by its new member set, not the old one.
    const sent = await fx.client.groups.sendMessage({ numbers: [D, C, B, A], content: 'hi', from_number: LINE });
    expect((sent as { group_id: string }).group_id).toBe(group.group_id);
    const old = await fx.client.groups.sendMessage({ numbers: [A, B, C], content: 'hi', from_number: LINE });
    expect((old as { group_id: string }).group_id).not.toBe(group.group_id);
  });

  it(`refuses to add beyond ${MAX_GROUP_MEMBERS} members`, async () => {
    const full = fx.sim.createGroup(
      Array.from({ length: MAX_GROUP_MEMBERS }, (_, i) => `+1212555${String(i).padStart(4, '0')}`),
    );
    const error = await apiError(
      fx.client.groups.modify({ group_id: full.group_id, modify_type: 'add_recipient', number: A }),
    );
    expect(error.status).toBe(400);
    expect(messageOf(error)).toContain(`at most ${MAX_GROUP_MEMBERS}`);
    expect(fx.sim.group(full.group_id)?.members).toHaveLength(MAX_GROUP_MEMBERS);
  });

  it(`removes a member only from a group of at least ${MIN_MEMBERS_FOR_REMOVE} (our line included), and only a member`, async () => {
    const small = fx.sim.createGroup([A, B]);
    const tooSmall = await apiError(
      fx.client.groups.modify({ group_id: small.group_id, modify_type: 'remove_recipient', number: B }),
    );
    expect(tooSmall.status).toBe(400);
    expect(messageOf(tooSmall)).toContain(`at least ${MIN_MEMBERS_FOR_REMOVE}`);
    expect(fx.sim.group(small.group_id)?.members).toEqual([A, B]);

    const group = fx.sim.createGroup([A, B, C, D]);
    const notMember = await apiError(
      fx.client.groups.modify({ group_id: group.group_id, modify_type: 'remove_recipient', number: E }),
    );
    expect(notMember.status).toBe(400);
    expect(messageOf(notMember)).toContain('not a member');
    const removed = await fx.client.groups.modify({
      group_id: group.group_id,
      modify_type: 'remove_recipient',
      number: B,
    });
    expect(removed).toMatchObject({
      status: 'OK',
      group_id: group.group_id,
      modify_type: 'remove_recipient',
      number: B,
    });
    expect(fx.sim.group(group.group_id)?.members).toEqual([A, C, D]);
  });

  it.each([
    ['modify_type rename', { modify_type: 'rename', number: D }, 400, 'modify_type'],
    ['modify_type leave', { modify_type: 'leave', number: D }, 400, 'modify_type'],
    ['number not E.164', { modify_type: 'add_recipient', number: '555-0104' }, 400, 'number'],
    [
      'from_number not a line',
      { modify_type: 'add_recipient', number: D, from_number: '+15559999999' },
      400,
      'line_not_registered',
    ],
    [
      'unknown group',
      { modify_type: 'add_recipient', number: D, group_id: 'sb_group_missing' },
      404,
      'sb_group_missing',
    ],
  ])('%s: %i naming it, nothing changed', async (_name, fields, status, text) => {
    const group = fx.sim.createGroup([A, B, C, D]);
    const error = await apiError(fx.client.groups.modify({ group_id: group.group_id, ...fields } as never));
    expect(error.status).toBe(status);
    expect(error.error).toMatchObject({ status: 'ERROR', error_message: expect.stringContaining(text) });
    expect(fx.sim.group(group.group_id)?.members).toEqual([A, B, C, D]);
  });
});

describe('POST /api/v2/groups/{group_id}/name and GET /api/v2/groups/{group_id}', () => {
  it('renames, reports the acting line, clears with null or an empty string', async () => {
    const group = fx.sim.createGroup([A, B], 'Old');
    expect(await fx.client.v2.groups.rename(group.group_id, { group_name: 'Project Falcon' })).toEqual({
      status: 'OK',
      data: { group_id: group.group_id, group_name: 'Project Falcon', from_number: LINE },
    });
    const retrieved = await fx.client.v2.groups.retrieve(group.group_id);
    expect(retrieved).toEqual({
      status: 'OK',
      data: {
        group_id: group.group_id,
        group_name: 'Project Falcon',
        participant_numbers: [A, B],
        participants: [
          { phone: A, handle: A, type: 'contact' },
          { phone: B, handle: B, type: 'contact' },
        ],
        created_at: group.created_at,
        updated_at: expect.any(String),
        latest_comm_at: null,
        latest_message_id: null,
      },
    });
    const viaLine2 = await fx.client.v2.groups.rename(group.group_id, { group_name: 'Falcon 2', from_number: LINE2 });
    expect(viaLine2.data.from_number).toBe(LINE2);

    expect((await fx.client.v2.groups.rename(group.group_id, { group_name: null })).data.group_name).toBe('');
    expect(fx.sim.group(group.group_id)?.name).toBeNull();
    await fx.client.v2.groups.rename(group.group_id, { group_name: 'Back' });
    expect((await fx.client.v2.groups.rename(group.group_id, { group_name: '' })).data.group_name).toBe('');
    expect((await fx.client.v2.groups.retrieve(group.group_id)).data?.group_name).toBe('');
  });

  it.each([
    ['whitespace-only name', { group_name: '   ' }, 'group_name'],
    ['no group_name at all', {}, 'group_name'],
    ['a name that is not a string', { group_name: 7 }, 'group_name'],
    ['from_number not a line', { group_name: 'X', from_number: '+15559999999' }, 'line_not_registered'],
  ])('rejects %s with 400 and keeps the name', async (_name, body, text) => {
    const group = fx.sim.createGroup([A, B], 'Kept');
    const error = await apiError(fx.client.v2.groups.rename(group.group_id, body as never));
    expect(error.status).toBe(400);
    expect(messageOf(error)).toContain(text);
    expect(fx.sim.group(group.group_id)?.name).toBe('Kept');
  });

  it('answers 404 for unknown groups', async () => {
    expect((await apiError(fx.client.v2.groups.rename('sb_group_missing', { group_name: 'X' }))).status).toBe(404);
    expect((await apiError(fx.client.v2.groups.retrieve('sb_group_missing'))).status).toBe(404);
  });
});

describe('several of our lines in a group, and lines as members', () => {
  it('modify without from_number: the only line acts; with two lines it is ambiguous_sending_line, and nothing changes', async () => {
    const one = fx.sim.createGroup([A, B, C]);
    expect(
      (await fx.client.groups.modify({ group_id: one.group_id, modify_type: 'add_recipient', number: D })).status,
    ).toBe('OK');
    const both = fx.sim.createGroup([A, B, C], 'Two lines', { lines: [LINE, LINE2] });
    expect(both.lines).toEqual([LINE, LINE2]);
    const ambiguous = await apiError(
      fx.client.groups.modify({ group_id: both.group_id, modify_type: 'add_recipient', number: D }),
    );
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.error).toMatchObject({ error: 'ambiguous_sending_line', lines: [LINE, LINE2] });
    expect(messageOf(ambiguous)).toContain('ambiguous_sending_line');
    expect(fx.sim.group(both.group_id)?.members).toEqual([A, B, C]);
    const named = await fx.client.groups.modify({
      group_id: both.group_id,
      modify_type: 'add_recipient',
      number: D,
      from_number: LINE2,
    });
    expect(named.status).toBe('OK');
  });

  it('modify from a line of the account that is not in the group: line_not_registered', async () => {
    const group = fx.sim.createGroup([A, B, C, D]);
    const error = await apiError(
      fx.client.groups.modify({
        group_id: group.group_id,
        modify_type: 'remove_recipient',
        number: D,
        from_number: LINE2,
      }),
    );
    expect(error.error).toMatchObject({ error: 'line_not_registered' });
    expect(fx.sim.group(group.group_id)?.members).toEqual([A, B, C, D]);
  });

  it('send to a group_id without from_number: ambiguous_sending_line with two lines, "from_number is required" with one', async () => {
    const both = fx.sim.createGroup([A, B], undefined, { lines: [LINE, LINE2] });
    const ambiguous = await apiError(fx.client.groups.sendMessage({ group_id: both.group_id, content: 'hi' } as never));
    expect(ambiguous.error).toMatchObject({ error: 'ambiguous_sending_line' });
    const one = fx.sim.createGroup([A, B]);
    const required = await apiError(fx.client.groups.sendMessage({ group_id: one.group_id, content: 'hi' } as never));
    expect(messageOf(required)).toContain('from_number is required');
    const unknown = await apiError(fx.client.groups.sendMessage({ group_id: 'sb_group_nope', content: 'hi' } as never));
    expect(messageOf(unknown)).toContain('from_number is required');
    expect(fx.sim.sentMessages()).toEqual([]);
  });

  it('our lines among the numbers join the group as lines, not members; a line that sends to a group joins it', async () => {
    const sent = await fx.client.groups.sendMessage({ numbers: [A, B, LINE2], content: 'hi', from_number: LINE });
    const group = fx.sim.group((sent as { group_id: string }).group_id)!;
    expect(group).toMatchObject({ members: [A, B], line: LINE, lines: [LINE, LINE2] });
    expect((sent as unknown as { number: string[] }).number).toEqual([A, B]);
    // The same people without the line name the same group.
    const again = await fx.client.groups.sendMessage({ numbers: [B, A], content: 'again', from_number: LINE });
    expect((again as { group_id: string }).group_id).toBe(group.group_id);

    const other = fx.sim.createGroup([C, D]);
    await fx.client.groups.sendMessage({ group_id: other.group_id, content: 'from line 2', from_number: LINE2 });
    expect(fx.sim.group(other.group_id)).toMatchObject({ line: LINE2, lines: [LINE, LINE2] });
    await fx.sim.idle();
    const reply = await fx.sim.memberReply(other.group_id, { from: C, content: 'who is who?' });
    expect(reply.lines).toEqual([LINE, LINE2]);
    const listed = await fx.client.messages.list({ group_id: other.group_id, is_outbound: false } as never);
    expect(listed.data?.[0]?.participants).toEqual([C, D, LINE, LINE2]);

    const onlyLines = await apiError(
      fx.client.groups.sendMessage({ numbers: [LINE2], content: 'x', from_number: LINE }),
    );
    expect(messageOf(onlyLines)).toContain('someone who is not one of your lines');
  });

  it('our lines are not added or removed as members; every line counts toward the 4 a removal needs', async () => {
    const group = fx.sim.createGroup([A, B, C]);
    for (const modify_type of ['add_recipient', 'remove_recipient'] as const) {
      const error = await apiError(fx.client.groups.modify({ group_id: group.group_id, modify_type, number: LINE2 }));
      expect(messageOf(error)).toContain('lines cannot be added or removed');
    }
    // Two people and two lines make four.
    const small = fx.sim.createGroup([A, B], undefined, { lines: [LINE, LINE2] });
    const removed = await fx.client.groups.modify({
      group_id: small.group_id,
      modify_type: 'remove_recipient',
      number: B,
      from_number: LINE,
    });
    expect(removed.status).toBe('OK');
    expect(() => fx.sim.createGroup([A, LINE2])).toThrow(/options.lines/);
    expect(() => fx.sim.createGroup([A], undefined, { lines: ['+15559999999'] })).toThrow(/account lines/);
  });
});
