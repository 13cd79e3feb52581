/**
 * SANDBOX ONLY: a group's member and name changes, for the sandbox page's grey lines ("+1555…
 * was added", "renamed to …"). The source is the `Group Changed` events in the sandbox's event log
 * (event-feed.ts): they are what the events Lambda publishes from the table's stream whenever the
 * group record's members or name change, whether by our own modify_group commands or as a
 * webhook showed them, each at the time of the change. That log is in memory (the newest 10,000
 * events; off with SANDBOX_EVENTS=0): the table keeps only a group's current members and name
 * (and each message its participants), not the changes themselves.
 *
 * A record written for the first time has no previous members: what it adds is then measured
 * against the participants of the group's newest earlier message (a group we created by sending
 * gets its record with its first change); with no earlier message it is the group's first
 * sighting, not a change.
 */
import { DETAIL_TYPES } from '../lambdas/events/domain-events.js';
import type { MessageItem } from '../lambdas/contract/items.js';
import type { TableStore } from '../lambdas/adapters/table.js';
import type { EventEnvelope } from '../lambdas/contract/sandbox.js';
import type { EventFeed } from './event-feed.js';
import type { PageGroupChange } from './page/page-logic.js';

export type GroupChange = PageGroupChange;

interface GroupChangedDetail {
  group_id?: string;
  members?: string[];
  name?: string | null;
  previous_members?: string[];
  previous_name?: string | null;
  updated_at?: string | null;
}

interface Snapshot {
  members: string[];
  name: string | null;
}

function diff(before: Snapshot, after: Snapshot, at: string): GroupChange | undefined {
  const added = after.members.filter((member) => !before.members.includes(member));
  // Members unknown after (a rename seen first) remove nobody.
  const removed = after.members.length ? before.members.filter((member) => !after.members.includes(member)) : [];
  const renamed = after.name !== before.name ? { to: after.name } : undefined;
  if (!added.length && !removed.length && !renamed) return undefined;
  return { at, added, removed, ...(renamed ? { renamed } : {}) };
}

/**
 * The changes of one group, oldest first. `messages`: the group's messages as stored (any order),
 * for the participants a first record is compared with.
 */
export function groupChangesFrom(
  groupId: string,
  events: readonly EventEnvelope[],
  messages: readonly Pick<MessageItem, 'date_sent' | 'participants' | 'group_display_name'>[],
): GroupChange[] {
  const withMembers = messages
    .filter((message) => message.participants?.length && message.date_sent)
    .sort((a, b) => String(b.date_sent).localeCompare(String(a.date_sent)));
  const changes: GroupChange[] = [];
  for (const event of events) {
    if (event['detail-type'] !== DETAIL_TYPES.groupChanged) continue;
    const detail = event.detail as GroupChangedDetail;
    if (detail.group_id !== groupId) continue;
    const at = detail.updated_at ?? event.time;
    const after: Snapshot = { members: [...(detail.members ?? [])], name: detail.name ?? null };
    let before: Snapshot | undefined;
    if (detail.previous_members?.length) {
      before = { members: detail.previous_members, name: detail.previous_name ?? null };
    } else {
      const earlier = withMembers.find((message) => String(message.date_sent) < at);
      if (earlier)
        before = {
          members: [...new Set(earlier.participants)],
          name: detail.previous_name ?? (earlier.group_display_name || null),
        };
    }
    const change = before && diff(before, after, at);
    if (change) changes.push(change);
  }
  return changes.sort((a, b) => a.at.localeCompare(b.at));
}

/** How many of a group's newest messages a first record is compared with (the page shows 100). */
const BASELINE_MESSAGES = 100;

/** null: the event log is off (SANDBOX_EVENTS=0), so no change can be shown. */
export type ListGroupChanges = (groupId: string) => Promise<GroupChange[] | null>;

export function sandboxGroupChanges(deps: {
  /** The event log, once the stream path runs (undefined when events are off). */
  feed: () => EventFeed | undefined;
  store: Pick<TableStore, 'listGroupMessages'>;
}): ListGroupChanges {
  return async (groupId) => {
    const feed = deps.feed();
    if (!feed) return null;
    const events = feed
      .list()
      .map((entry) => entry.event)
      .filter((event) => event['detail-type'] === DETAIL_TYPES.groupChanged && event.detail.group_id === groupId);
    if (!events.length) return [];
    const page = await deps.store.listGroupMessages(groupId, { limit: BASELINE_MESSAGES, order: 'desc' });
    return groupChangesFrom(groupId, events, page.items);
  };
}
