import { membersKey, type GroupSnapshot, type TableStore } from './table';

/**
 * Keeps the group record current without a write per message: the record is written only when a
 * message shows a membership or name this container has not already written or confirmed. Warm
 * containers therefore add no request for the usual message; the conditional write in the table
 * module stays the source of truth (a cold container's first message per group costs one write).
 */
export function createGroupSync(store: TableStore, maxGroups = 5_000) {
  const known = new Map<string, { signature: string; asOf: string }>();

  return async function syncGroup(snapshot: GroupSnapshot): Promise<'updated' | 'unchanged' | 'cached'> {
    if (!snapshot.members && snapshot.name === undefined) return 'cached';
    const signature = `${snapshot.members ? membersKey(snapshot.members) : '-'}|${snapshot.name ?? '-'}`;
    const seen = known.get(snapshot.groupId);
    if (seen && (seen.signature === signature || seen.asOf > snapshot.asOf)) return 'cached';
    const result = await store.syncGroup(snapshot);
    if (known.size >= maxGroups) known.delete(known.keys().next().value as string);
    known.set(snapshot.groupId, { signature, asOf: snapshot.asOf });
    return result;
  };
}
