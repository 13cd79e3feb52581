import { describe, expect, it } from 'vitest';
import { isAuthorizedWebhook, safeEqual, statusCallbackToken } from '../../lambdas/shared/webhook-auth';

const secret = 'test-webhook-secret';

describe('webhook authentication', () => {
  it('compares strings exactly, whatever their lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'abc')).toBe(false);
  });

  it('accepts the signing header on both routes', () => {
    expect(isAuthorizedWebhook('receive', { signingHeader: secret, token: undefined }, secret)).toBe(true);
    expect(isAuthorizedWebhook('status', { signingHeader: secret, token: undefined }, secret)).toBe(true);
  });

  it('accepts the status token only on the status route', () => {
    const token = statusCallbackToken(secret);
    expect(isAuthorizedWebhook('status', { signingHeader: undefined, token }, secret)).toBe(true);
    expect(isAuthorizedWebhook('receive', { signingHeader: undefined, token }, secret)).toBe(false);
  });

  it('rejects missing and wrong credentials, and the secret itself used as a token', () => {
    expect(isAuthorizedWebhook('status', { signingHeader: undefined, token: undefined }, secret)).toBe(false);
    expect(isAuthorizedWebhook('status', { signingHeader: 'wrong', token: 'wrong' }, secret)).toBe(false);
    expect(isAuthorizedWebhook('status', { signingHeader: undefined, token: secret }, secret)).toBe(false);
  });

  it('derives a URL-safe token that does not contain the secret and changes with it', () => {
    const token = statusCallbackToken(secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(token).not.toContain(secret);
    expect(statusCallbackToken('another-secret')).not.toBe(token);
  });
});
