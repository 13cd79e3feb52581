import { describe, expect, it } from 'vitest';
import { isAuthorizedWebhook, safeEqual, statusCallbackToken } from '../../lambdas/shared/webhook-auth';

const secret = 'test-webhook-secret';
const token = 'generated-callback-token';
// Plain values behind the getters; `fetched` records which secret a request made us read.
const fetched: string[] = [];
const secrets = {
  webhookSecret: async () => (fetched.push('webhook'), secret),
  callbackToken: async () => (fetched.push('token'), token),
};
const check = (route: 'receive' | 'status', signingHeader: string | undefined, given: string | undefined) =>
  isAuthorizedWebhook(route, { signingHeader, token: given }, secrets);

describe('webhook authentication', () => {
  it('compares strings exactly, whatever their lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'abc')).toBe(false);
  });

  it('accepts the signing header on both routes', async () => {
    expect(await check('receive', secret, undefined)).toBe(true);
    expect(await check('status', secret, undefined)).toBe(true);
  });

  it('accepts the callback token only on the status route', async () => {
    expect(await check('status', undefined, token)).toBe(true);
    expect(await check('receive', undefined, token)).toBe(false);
  });

  it('rejects missing and wrong credentials, and the webhook secret used as a token', async () => {
    expect(await check('status', undefined, undefined)).toBe(false);
    expect(await check('status', 'wrong', 'wrong')).toBe(false);
    expect(await check('status', undefined, secret)).toBe(false);
    expect(await check('receive', token, undefined)).toBe(false);
  });

  it('reads only the secret that the presented credential needs', async () => {
    fetched.length = 0;
    await check('status', undefined, token);
    expect(fetched).toEqual(['token']);
    fetched.length = 0;
    await check('receive', undefined, undefined);
    expect(fetched).toEqual([]);
  });

  it('derives the sandbox\'s URL-safe token that does not contain the secret and changes with it', () => {
    const token = statusCallbackToken(secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(token).not.toContain(secret);
    expect(statusCallbackToken('another-secret')).not.toBe(token);
  });
});
