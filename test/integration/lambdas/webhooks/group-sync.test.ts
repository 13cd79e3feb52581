import { describe, expect, it } from 'vitest';
import { createGroupSync } from '../../../../lambdas/webhooks/group-sync.js';
import { countRequests, freshTable } from '../../../support/table-for-test.js';

describe('group sync (per-container cache over conditional writes)', () => {
  it('writes a membership once, again only after it changes or the entry expires, never for an older one', async () => {
    const table = await freshTable();
    const writes = countRequests(table.documentClient);
    let now = 0;
    const sync = createGroupSync(table.store, { maxAgeMs: 1000, now: () => now });
    const snapshot = { groupId: 'g', members: ['+2', '+1'], name: 'Team', asOf: '2026-01-01T00:00:00.000Z' };

    expect(await sync(snapshot)).toBe('updated');
    expect(await sync({ ...snapshot, members: ['+1', '+2'], asOf: '2026-01-01T00:01:00.000Z' })).toBe('cached'); // same set
    expect(await sync({ ...snapshot, asOf: '2025-12-31T00:00:00.000Z', name: 'Older' })).toBe('cached');
    expect(writes).toHaveLength(1);

    expect(await sync({ ...snapshot, name: 'Renamed', asOf: '2026-01-01T00:02:00.000Z' })).toBe('updated');
    expect(writes).toHaveLength(2);

    now = 1000; // expired: the conditional write runs and finds nothing to change
    expect(await sync({ ...snapshot, name: 'Renamed', asOf: '2026-01-01T00:03:00.000Z' })).toBe('unchanged');
    expect(writes).toHaveLength(3);
    expect(await table.store.getGroup('g')).toMatchObject({ members: ['+1', '+2'], group_name: 'Renamed' });
  });

  it('forgets the oldest group first when full', async () => {
    const table = await freshTable();
    const writes = countRequests(table.documentClient);
    const sync = createGroupSync(table.store, { maxGroups: 2 });
    const snap = (groupId: string) => ({ groupId, members: ['+1'], asOf: '2026-01-01T00:00:00.000Z' });
    await sync(snap('a'));
    await sync(snap('b'));
    await sync(snap('c')); // evicts a
    await sync(snap('b'));
    expect(writes).toHaveLength(3);
    await sync(snap('a'));
    expect(writes).toHaveLength(4);
  });
});
