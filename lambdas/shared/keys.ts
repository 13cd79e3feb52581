import { TABLE_SCHEMA } from './table-schema';

/** Key builders for every item type (layout documented in table-schema.ts and the README). */
const { partitionKey: PK, sortKey: SK } = TABLE_SCHEMA;
const { partitionKey: GSI1PK, sortKey: GSI1SK } = TABLE_SCHEMA.groupTimelineIndex;

export const MESSAGE_SK = 'MSG';
export const STATUS_SK_PREFIX = 'STATUS#';

export const messageKey = (handle: string) => ({ [PK]: `MSG#${handle}`, [SK]: MESSAGE_SK });
export const statusKey = (handle: string, status: string) => ({ [PK]: `MSG#${handle}`, [SK]: `${STATUS_SK_PREFIX}${status}` });
export const groupKey = (groupId: string) => ({ [PK]: `GROUP#${groupId}`, [SK]: 'GROUP' });
export const commandKey = (commandId: string) => ({ [PK]: `CMD#${commandId}`, [SK]: 'CMD' });
/** A Sendblue line's pacing state (its send slots), shared by every sender invocation. */
export const linePaceKey = (line: string) => ({ [PK]: `LINE#${line}`, [SK]: 'PACE' });

export const timelinePartition = (groupId: string) => `GROUP#${groupId}`;
/** ISO dates sort as strings; the handle breaks ties between messages sent in the same millisecond. */
export const timelineKeys = (groupId: string, dateSent: string, handle: string) => ({
  [GSI1PK]: timelinePartition(groupId),
  [GSI1SK]: `${dateSent}#${handle}`,
});

/** The attributes of a timeline index entry's LastEvaluatedKey, used to validate cursors. */
export const TIMELINE_CURSOR_KEYS = [PK, SK, GSI1PK, GSI1SK] as const;
