import { describe, expect, it } from 'vitest';
import { statusRank, TERMINAL_RANK } from '../../../../lambdas/contract/status.js';

/** What the table module's condition does: the current status moves only to a higher rank. */
const movesForward = (current: string, next: string) => statusRank(current) < statusRank(next);

describe('status ordering', () => {
  const order = ['REGISTERED', 'PENDING', 'QUEUED', 'ACCEPTED', 'SENT', 'DELIVERED', 'READ'];

  it('ranks the forward statuses in Sendblue order', () => {
    const ranks = order.map(statusRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(order.length);
  });

  it('never lets a late SENT overwrite DELIVERED', () => {
    expect(movesForward('DELIVERED', 'SENT')).toBe(false);
    expect(movesForward('SENT', 'DELIVERED')).toBe(true);
  });

  it('treats ERROR and DECLINED as terminal', () => {
    expect(statusRank('ERROR')).toBe(TERMINAL_RANK);
    expect(movesForward('READ', 'ERROR')).toBe(true);
    for (const next of [...order, 'ERROR', 'DECLINED']) {
      expect(movesForward('ERROR', next)).toBe(false);
      expect(movesForward('DECLINED', next)).toBe(false);
    }
  });

  it('never moves a status to an unknown one', () => {
    expect(movesForward('QUEUED', 'SOMETHING_NEW')).toBe(false);
    expect(statusRank('SOMETHING_NEW')).toBe(statusRank('RECEIVED'));
  });
});
