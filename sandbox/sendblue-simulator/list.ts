/**
 * GET /api/v2/messages: Sendblue's filters, ordering and offset paging over the stored messages.
 */
import type { SimMessage } from './types.js';
import { invalid, type Checked } from './validate.js';

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 100;

const ORDER_FIELDS = { createdAt: 'date_created', updatedAt: 'date_updated', sentAt: 'date_sent' } as const;
type OrderBy = keyof typeof ORDER_FIELDS;

/** Date-range filters: query name -> the message date it bounds, and which side. */
const DATE_FILTERS: ReadonlyArray<[string, 'date_created' | 'date_updated' | 'date_sent', 'gte' | 'lte']> = [
  ['created_at_gte', 'date_created', 'gte'],
  ['created_at_lte', 'date_created', 'lte'],
  ['updated_at_gte', 'date_updated', 'gte'],
  ['updated_at_lte', 'date_updated', 'lte'],
  ['sent_at_gte', 'date_sent', 'gte'],
  ['sent_at_lte', 'date_sent', 'lte'],
];

/** Equality filters: query name -> whether a message matches the value. */
const MATCHERS: Record<string, (message: SimMessage, value: string) => boolean> = {
  group_id: (m, v) => m.group_id === v,
  from_number: (m, v) => m.from_number === v,
  sendblue_number: (m, v) => m.line === v,
  to_number: (m, v) => (m.is_outbound ? m.participants.includes(v) : m.line === v),
  number: (m, v) => m.from_number === v || m.line === v || m.participants.includes(v),
  status: (m, v) => m.status === v,
  message_type: (_m, v) => v === 'group',
  service: (_m, v) => v === 'iMessage',
};

export interface ListPage {
  page: SimMessage[];
  limit: number;
  offset: number;
  total: number;
}

function nonNegativeInteger(query: Record<string, string>, name: string, fallback: number): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

export function listMessages(all: readonly SimMessage[], query: Record<string, string>): Checked<ListPage> {
  const limit = nonNegativeInteger(query, 'limit', DEFAULT_LIST_LIMIT);
  if (limit === undefined || limit < 1) return invalid('limit must be a positive integer');
  const offset = nonNegativeInteger(query, 'offset', 0);
  if (offset === undefined) return invalid('offset must be a non-negative integer');

  const isOutbound = query.is_outbound;
  if (isOutbound !== undefined && isOutbound !== 'true' && isOutbound !== 'false') {
    return invalid("is_outbound must be 'true' or 'false'");
  }
  const orderBy = (query.order_by || 'createdAt') as OrderBy;
  if (!(orderBy in ORDER_FIELDS)) return invalid('order_by must be createdAt, updatedAt or sentAt');
  const direction = query.order_direction || 'desc';
  if (direction !== 'asc' && direction !== 'desc') return invalid('order_direction must be asc or desc');

  const bounds: Array<{ field: 'date_created' | 'date_updated' | 'date_sent'; side: 'gte' | 'lte'; time: number }> = [];
  for (const [name, field, side] of DATE_FILTERS) {
    const raw = query[name];
    if (raw === undefined || raw === '') continue;
    const time = Date.parse(raw);
    if (Number.isNaN(time)) return invalid(`${name} must be an ISO-8601 date`);
    bounds.push({ field, side, time });
  }

  const matching = all.filter((message) => {
    if (isOutbound !== undefined && message.is_outbound !== (isOutbound === 'true')) return false;
    for (const [name, matches] of Object.entries(MATCHERS)) {
      const value = query[name];
      if (value !== undefined && value !== '' && !matches(message, value)) return false;
    }
    return bounds.every(({ field, side, time }) => {
      const at = Date.parse(message[field]);
      return side === 'gte' ? at >= time : at <= time;
    });
  });

  const field = ORDER_FIELDS[orderBy];
  const sign = direction === 'asc' ? 1 : -1;
  matching.sort((a, b) => sign * (Date.parse(a[field]) - Date.parse(b[field]) || a.seq - b.seq));
  const effectiveLimit = Math.min(limit, MAX_LIST_LIMIT);
  return {
    ok: true,
    value: {
      page: matching.slice(offset, offset + effectiveLimit),
      limit: effectiveLimit,
      offset,
      total: matching.length,
    },
  };
}
