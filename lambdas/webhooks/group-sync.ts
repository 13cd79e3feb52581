import { membersKey } from '../contract/items.js';
import type { GroupRecords, GroupSnapshot } from './ports.js';

/**
 * Keeps the group record current without a write per message: the record is written only when a
 * message shows a membership or name this container has not already written or confirmed. Warm
 * containers therefore add no request for the usual message; the conditional write in the table
 * module stays the source of truth (a cold container's first message per group costs one write).
 */
export function createGroupSync(
  store: GroupRecords,
  options: { maxGroups?: number; maxAgeMs?: number; now?: () => number } = {},
) {
  const { maxGroups = 5_000, maxAgeMs = 15 * 60_000, now = Date.now } = options;
  // Entries expire: another container may have written a different membership meanwhile, and the
  // record should not stay behind for long (reads already prefer a newer message's membership).
  const known = new Map<string, { signature: string; asOf: string; at: number }>();

  return async function syncGroup(snapshot: GroupSnapshot): Promise<'updated' | 'unchanged' | 'cached'> {
    if (!snapshot.members && snapshot.name === undefined) return 'cached';
    const signature = `${snapshot.members ? membersKey(snapshot.members) : '-'}|${snapshot.name ?? '-'}`;
    const seen = known.get(snapshot.groupId);
    const fresh = seen !== undefined && now() - seen.at < maxAgeMs;
    if (fresh && (seen.signature === signature || seen.asOf > snapshot.asOf)) return 'cached';
    const result = await store.syncGroup(snapshot);
    if (known.size >= maxGroups) known.delete(known.keys().next().value as string);
    known.delete(snapshot.groupId); // re-insert at the end: the Map's order is the eviction order
    known.set(snapshot.groupId, { signature, asOf: snapshot.asOf, at: now() });
    return result;
  };
}
