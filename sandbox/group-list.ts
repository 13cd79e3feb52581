/**
 * SANDBOX ONLY: the sandbox page's group list. Every group, newest activity first, from a Scan of
 * group records and group messages. It reads the whole table, so it lives here and no deployed
 * handler can call it (no Lambda role may Scan); in AWS, list your groups from your own records.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { GroupItem, MessageItem } from '../lambdas/contract/items.js';
import { CONTACT_SK, groupKey, timelinePartition } from '../lambdas/contract/keys.js';
import { TABLE_SCHEMA } from '../lambdas/contract/table-schema.js';
import { GROUP_SUMMARY_WINDOW, groupView } from '../lambdas/contract/views.js';

/** One line of the sandbox page's group list. */
export interface GroupListEntry {
  group_id: string;
  name: string | null;
  members: string[];
  /** Members whose contact record says opted out (the page marks them). */
  opted_out: string[];
  last_message_at: string | null;
  message_count: number;
  /** The newest message, for the list's preview line. */
  last_message: {
    direction: string;
    from_number: string | null;
    content: string | null;
    media_url: string | null;
    date_sent: string | null;
  } | null;
}

export type ListGroups = () => Promise<GroupListEntry[]>;

const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;
const TIMELINE = TABLE_SCHEMA.groupTimelineIndex;

export function sandboxGroupList(db: DynamoDBDocumentClient, TableName: string): ListGroups {
  return async function listGroupsForSandbox() {
    const groups = new Map<string, { record?: GroupItem; messages: MessageItem[] }>();
    const optedOut = new Set<string>();
    const entry = (groupId: string) => {
      let found = groups.get(groupId);
      if (!found) {
        found = { messages: [] };
        groups.set(groupId, found);
      }
      return found;
    };
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new ScanCommand({
          TableName,
          // Group records, and group messages (only they carry a GROUP# timeline key; unsettled
          // commands carry an UNSETTLED one), and opted-out contacts (the page marks them).
          FilterExpression:
            '(begins_with(#pk, :group) AND #sk = :groupSk) OR begins_with(#tpk, :group) OR (#sk = :contactSk AND #opted_out = :true)',
          ProjectionExpression:
            '#pk, #sk, #tpk, group_id, group_name, members, created_at, updated_at, date_sent, participants, group_display_name, direction, from_number, content, media_url, #number',
          ExpressionAttributeNames: {
            '#pk': PK,
            '#sk': SK,
            '#tpk': TIMELINE.partitionKey,
            '#opted_out': 'opted_out',
            '#number': 'number',
          },
          ExpressionAttributeValues: {
            ':group': timelinePartition(''),
            ':groupSk': groupKey('')[SK],
            ':contactSk': CONTACT_SK,
            ':true': true,
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (item[SK] === CONTACT_SK) {
          optedOut.add(String(item.number));
          continue;
        }
        const group = entry(
          String(item.group_id ?? String(item[TIMELINE.partitionKey] ?? item[PK]).slice(timelinePartition('').length)),
        );
        if (item[SK] === groupKey('')[SK]) group.record = item as GroupItem;
        else group.messages.push(item as MessageItem);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    // Members and name exactly as GET /groups/{id} answers them (a newer message's membership wins).
    const list: GroupListEntry[] = [...groups].map(([groupId, { record, messages }]) => {
      const newestFirst = messages.sort((a, b) => String(b.date_sent ?? '').localeCompare(String(a.date_sent ?? '')));
      const view = groupView(groupId, record, newestFirst.slice(0, GROUP_SUMMARY_WINDOW));
      const newest = newestFirst[0];
      return {
        group_id: groupId,
        name: view.name,
        members: view.members,
        opted_out: view.members.filter((member) => optedOut.has(member)),
        last_message_at: view.last_message_at,
        message_count: messages.length,
        last_message: newest
          ? {
              direction: newest.direction,
              from_number: newest.from_number ?? null,
              content: newest.content ?? null,
              media_url: newest.media_url ?? null,
              date_sent: newest.date_sent ?? null,
            }
          : null,
      };
    });
    return list.sort((a, b) => String(b.last_message_at ?? '').localeCompare(String(a.last_message_at ?? '')));
  };
}
