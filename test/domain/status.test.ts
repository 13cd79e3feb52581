import { describe, expect, it } from 'vitest';
import { statusMovesForward, statusRank, TERMINAL_RANK } from '../../lambdas/contract/status';

describe('status ordering', () => {
  const order = ['REGISTERED', 'PENDING', 'QUEUED', 'ACCEPTED', 'SENT', 'DELIVERED', 'READ'];

  it('ranks the forward statuses in Sendblue order', () => {
    const ranks = order.map(statusRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(order.length);
  });

  it('never lets a late SENT overwrite DELIVERED', () => {
    expect(statusMovesForward(statusRank('DELIVERED'), 'SENT')).toBe(false);
    expect(statusMovesForward(statusRank('SENT'), 'DELIVERED')).toBe(true);
  });

  it('treats ERROR and DECLINED as terminal', () => {
    expect(statusRank('ERROR')).toBe(TERMINAL_RANK);
    expect(statusMovesForward(statusRank('READ'), 'ERROR')).toBe(true);
    for (const next of [...order, 'ERROR', 'DECLINED']) {
      expect(statusMovesForward(statusRank('ERROR'), next)).toBe(false);
      expect(statusMovesForward(statusRank('DECLINED'), next)).toBe(false);
    }
  });

  it('never moves a status to an unknown one, but a first status of any kind is taken', () => {
    expect(statusMovesForward(statusRank('QUEUED'), 'SOMETHING_NEW')).toBe(false);
    expect(statusMovesForward(undefined, 'SOMETHING_NEW')).toBe(true);
  });
});
