/**
 * The one definition of the table's physical shape. The CDK stack and the sandbox both build
 * the table from this, so a key or index can never differ between AWS and the laptop.
 *
 * Items (see README "Table design"):
 *   PK = MSG#<message_handle>  SK = MSG               the message (current status, content, ...)
 *   PK = MSG#<message_handle>  SK = STATUS#<STATUS>   one per distinct status (history)
 *   PK = GROUP#<group_id>      SK = GROUP             membership and name (changed only when they change)
 *   PK = CMD#<command_id>      SK = CMD               command ledger entry (expires via TTL)
 * Index GSI1 (group timeline): GSI1PK = GROUP#<group_id>, GSI1SK = <date_sent>#<message_handle>,
 * present only on group message items, so history, group and command items never project into it.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Every key attribute, of the table and of the index, holds a string. */
  keyAttributeType: 'S',
  ttlAttribute: 'expires_at',
  groupTimelineIndex: {
    name: 'GSI1',
    partitionKey: 'GSI1PK',
    sortKey: 'GSI1SK',
    /** Only group message items carry GSI1 keys, so ALL serves a timeline page from the index alone. */
    projection: 'ALL',
  },
} as const;
