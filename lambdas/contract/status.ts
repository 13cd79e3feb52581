/**
 * Sendblue delivery statuses and the order in which a message's current status may move.
 * A status only moves forward; ERROR and DECLINED are terminal (nothing replaces them).
 */
const FORWARD_ORDER = ['REGISTERED', 'PENDING', 'QUEUED', 'ACCEPTED', 'SENT', 'DELIVERED', 'READ'] as const;
const TERMINAL = new Set(['ERROR', 'DECLINED']);
export const TERMINAL_RANK = 100;
/**
 * Statuses we do not know (or RECEIVED, which only inbound messages carry) never move an existing
 * status. The table module's condition is `status_rank < :rank` (an absent rank takes any status).
 */
const UNKNOWN_RANK = 0;

export function statusRank(status: string): number {
  if (TERMINAL.has(status)) return TERMINAL_RANK;
  const index = (FORWARD_ORDER as readonly string[]).indexOf(status);
  return index === -1 ? UNKNOWN_RANK : index + 1;
}

/**
 * How a status is shown to people (the CLI's history, the sandbox page's ticks): one table, so the
 * two never disagree. Queued-like statuses show "…", sent "✓", delivered and read "✓✓", failures "✗".
 */
export const STATUS_MARKS: Readonly<Record<string, string>> = {
  REGISTERED: '…',
  PENDING: '…',
  QUEUED: '…',
  ACCEPTED: '…',
  SENT: '✓',
  DELIVERED: '✓✓',
  READ: '✓✓',
  ERROR: '✗',
  DECLINED: '✗',
  RECEIVED: '',
};
