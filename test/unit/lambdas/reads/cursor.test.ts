import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../../lambdas/reads/cursor.js';

const keys = ['PK', 'SK', 'GSI1PK', 'GSI1SK'] as const;
const key = { PK: 'MSG#h1', SK: 'MSG', GSI1PK: 'GROUP#g1', GSI1SK: '2026-01-01T00:00:00.000Z#h1' };

describe('cursors', () => {
  it('round-trips a key and is URL-safe', () => {
    const cursor = encodeCursor(key)!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, keys)).toEqual(key);
  });

  it('is null when there is no next page', () => {
    expect(encodeCursor(undefined)).toBeNull();
  });

  it.each([
    ['not base64 !!'],
    [Buffer.from('not json').toString('base64url')],
    [Buffer.from('[1,2]').toString('base64url')],
    [Buffer.from(JSON.stringify({ ...key, extra: 'x' })).toString('base64url')],
    [Buffer.from(JSON.stringify({ ...key, PK: 5 })).toString('base64url')],
    ['a'.repeat(5000)],
  ])('rejects a forged or broken cursor (%#)', (cursor) => {
    expect(decodeCursor(cursor, keys)).toBeUndefined();
  });
});
