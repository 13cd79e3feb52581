/**
 * Event filter patterns of the two stream consumers (Lambda event source mapping FilterCriteria,
 * against the record in DynamoDB JSON). They only spare invocations: each is a superset of what its
 * handler acts on (domain-events.ts, media-rules.ts decide; test/unit/lambdas/events/stream-filters.test.ts
 * proves the superset). Without them every send's pacing write, every lease taken and every status
 * update of a message would invoke both Lambdas for nothing. The stack hands them to Lambda, and
 * the sandbox's stream poller applies them with `matchesFilters`, so both skip the same records.
 */
export type FilterPattern = { readonly [key: string]: FilterPattern | readonly FilterValue[] };
type FilterValue = string | boolean | { readonly prefix: string } | { readonly exists: boolean };

const sortKey = (values: readonly FilterValue[]) => ({ Keys: { SK: { S: values } } });

export const EVENTS_STREAM_FILTERS: readonly FilterPattern[] = [
  // Group Message Received: an inbound group message inserted.
  {
    eventName: ['INSERT'],
    dynamodb: { ...sortKey(['MSG']), NewImage: { direction: { S: ['inbound'] }, group_id: { S: [{ exists: true }] } } },
  },
  // Message Status Changed: a status history entry inserted.
  { eventName: ['INSERT'], dynamodb: sortKey([{ prefix: 'STATUS#' }]) },
  // Command Settled: a ledger entry now sent, failed or unknown (the handler checks it changed).
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { ...sortKey(['CMD']), NewImage: { state: { S: ['sent', 'failed', 'unknown'] } } },
  },
  // Group Changed: a group record written (written only when members or name change).
  { eventName: ['INSERT', 'MODIFY'], dynamodb: sortKey(['GROUP']) },
  // Group Reaction Received: a message's reactions written (the handler keeps a member's, in a group).
  { eventName: ['INSERT', 'MODIFY'], dynamodb: sortKey(['REACTIONS']) },
  // Contact Opted Out / In: a contact record's opt state written (the handler checks it changed).
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { ...sortKey(['CONTACT']), NewImage: { opted_out: { BOOL: [true, false] } } },
  },
];

export const CONTACTS_STREAM_FILTERS: readonly FilterPattern[] = [
  // A message inserted (a member's, or ours by the sender or a status that came first).
  { eventName: ['INSERT'], dynamodb: sortKey(['MSG']) },
  // A per-member refusal (STATUS#DECLINED#<member>) inserted: it carries `member`.
  {
    eventName: ['INSERT'],
    dynamodb: { ...sortKey([{ prefix: 'STATUS#' }]), NewImage: { member: { S: [{ exists: true }] } } },
  },
];

export const MEDIA_STREAM_FILTERS: readonly FilterPattern[] = [
  // An inbound message with a media_url inserted (an empty media_url is never stored).
  {
    eventName: ['INSERT'],
    dynamodb: {
      ...sortKey(['MSG']),
      NewImage: { direction: { S: ['inbound'] }, media_url: { S: [{ exists: true }] } },
    },
  },
];

/** EventBridge-style matching for the rules above: every key must match; a list matches any of its values. */
export function matchesPattern(pattern: FilterPattern, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([key, rule]) => {
    const field = (value as Record<string, unknown>)[key];
    if (!Array.isArray(rule)) return matchesPattern(rule as FilterPattern, field);
    return (rule as readonly FilterValue[]).some((expected) => {
      if (typeof expected === 'string' || typeof expected === 'boolean') return field === expected;
      if ('prefix' in expected) return typeof field === 'string' && field.startsWith(expected.prefix);
      return expected.exists === (field !== undefined);
    });
  });
}

/** True when a record matches any of the patterns (Lambda's rule for several filters). */
export const matchesFilters = (patterns: readonly FilterPattern[], record: unknown): boolean =>
  patterns.some((pattern) => matchesPattern(pattern, record));
