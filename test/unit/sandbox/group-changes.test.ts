/**
 * The sandbox page's change lines from the event log's `Group Changed` events (sandbox/group-changes.ts),
 * without AWS: a change against the previous record, a first record against the group's earlier
 * messages, and a group's first sighting (no line).
 */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../lambdas/contract/sandbox.js';
import { groupChangesFrom } from '../../../sandbox/group-changes.js';

let counter = 0;
const groupChanged = (detail: Record<string, unknown>, type = 'Group Changed'): EventEnvelope => {
  counter += 1;
  return {
    version: '0',
    id: `e-${counter}`,
    'detail-type': type,
    source: 'sendblue-groups',
    account: '000000000000',
    time: '2026-03-01T00:00:00.000Z',
    region: 'us-east-1',
    resources: [],
    detail: { event_id: `s-${counter}`, group_id: 'g-1', ...detail },
  };
};
const A = '+15551230001';
const B = '+15551230002';
const C = '+15551230003';

describe('groupChangesFrom', () => {
  it('a change of a known record: who was added and removed, and the new name, at the time of the change', () => {
    const changes = groupChangesFrom(
      'g-1',
      [
        groupChanged({
          members: [A, C],
          previous_members: [A, B],
          name: 'Weekend plans',
          previous_name: null,
          updated_at: '2026-03-01T10:00:00.000Z',
        }),
        groupChanged({ group_id: 'g-2', members: [C], previous_members: [A], updated_at: '2026-03-01T09:00:00.000Z' }),
        groupChanged({ members: [A], updated_at: '2026-03-01T08:00:00.000Z' }, 'Command Settled'),
      ],
      [],
    );
    expect(changes).toEqual([
      { at: '2026-03-01T10:00:00.000Z', added: [C], removed: [B], renamed: { to: 'Weekend plans' } },
    ]);
  });

  it("a first record (a group we created by sending) is compared with the newest earlier message's participants", () => {
    const changes = groupChangesFrom(
      'g-1',
      [
        groupChanged({
          members: [A, B, C],
          previous_members: [],
          name: null,
          previous_name: null,
          updated_at: '2026-03-01T10:00:00.000Z',
        }),
        groupChanged({
          members: [A, B, C],
          previous_members: [A, B, C],
          name: 'Team',
          previous_name: null,
          updated_at: '2026-03-01T10:05:00.000Z',
        }),
      ],
      [
        { date_sent: '2026-03-01T09:00:00.000Z', participants: [A] },
        { date_sent: '2026-03-01T09:30:00.000Z', participants: [A, B] },
        { date_sent: '2026-03-01T11:00:00.000Z', participants: [A, B, C] },
      ],
    );
    expect(changes).toEqual([
      { at: '2026-03-01T10:00:00.000Z', added: [C], removed: [] },
      { at: '2026-03-01T10:05:00.000Z', added: [], removed: [], renamed: { to: 'Team' } },
    ]);
  });

  it("a group's first sighting (no earlier message) and a record that changed nothing the messages showed are no lines", () => {
    expect(
      groupChangesFrom(
        'g-1',
        [groupChanged({ members: [A, B], previous_members: [], name: 'Team', updated_at: '2026-03-01T10:00:00.000Z' })],
        [{ date_sent: '2026-03-01T10:00:00.000Z', participants: [A, B], group_display_name: 'Team' }],
      ),
    ).toEqual([]);
    expect(
      groupChangesFrom(
        'g-1',
        [groupChanged({ members: [A, B], previous_members: [], name: 'Team', updated_at: '2026-03-01T10:00:00.000Z' })],
        [{ date_sent: '2026-03-01T09:00:00.000Z', participants: [B, A], group_display_name: 'Team' }],
      ),
    ).toEqual([]);
  });

  it('a rename seen before any members removes nobody', () => {
    expect(
      groupChangesFrom(
        'g-1',
        [
          groupChanged({
            members: [],
            previous_members: [A, B],
            name: 'X',
            previous_name: 'Y',
            updated_at: '2026-03-01T10:00:00.000Z',
          }),
        ],
        [],
      ),
    ).toEqual([{ at: '2026-03-01T10:00:00.000Z', added: [], removed: [], renamed: { to: 'X' } }]);
  });
});
