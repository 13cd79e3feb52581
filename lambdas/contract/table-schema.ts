/**
 * The one definition of the table's physical shape. The CDK stack and the sandbox both build
 * the table from this, so a key or index can never differ between AWS and the laptop.
 *
 * Items (see docs/table-design.md):
 *   PK = MSG#<message_handle>  SK = MSG               the message (current status, content, ...)
 *   PK = MSG#<message_handle>  SK = STATUS#<STATUS>   one per distinct status (history)
 *   PK = GROUP#<group_id>      SK = GROUP             membership and name (changed only when they change)
 *   PK = CMD#<command_id>      SK = CMD               command ledger entry (expires via TTL)
 * Index GSI1 (group timeline): GSI1PK = GROUP#<group_id>, GSI1SK = <date_sent>#<message_handle>,
 * present only on group message items, so history, group and command items never project into it.
 * It projects the attributes a timeline page shows (see `projectedAttributes`).
 */
export const TABLE_SCHEMA = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Every key attribute, of the table and of the index, holds a string. */
  keyAttributeType: 'S',
  ttlAttribute: 'expires_at',
  /**
   * The change stream (DynamoDB Streams) that feeds the events and media Lambdas. Both images, so
   * a consumer can tell what really changed (a command's state, a group's members) without a read.
   */
  stream: { viewType: 'NEW_AND_OLD_IMAGES' },
  groupTimelineIndex: {
    name: 'GSI1',
    partitionKey: 'GSI1PK',
    sortKey: 'GSI1SK',
    /**
     * INCLUDE, not ALL: a timeline page and a group summary need only what `messageView` and
     * `groupView` show, so the unmapped payload (`extra_json`), relay URL, command id and the like
     * stay out of the index. Never more write units than ALL, fewer for messages with large extras,
     * and lighter 1 MB pages (docs/table-design.md has the measurements and why not KEYS_ONLY).
     */
    projection: 'INCLUDE',
    projectedAttributes: [
      'message_handle',
      'group_id',
      'direction',
      'status',
      'content',
      'media_url',
      'from_number',
      'date_sent',
      'date_updated',
      'send_style',
      'participants',
      'group_display_name',
    ],
  },
} as const;
