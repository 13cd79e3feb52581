import { describe, expect, it } from 'vitest';
import { limitToStatusToken, safeEqual, webhookCredential } from '../../../../lambdas/webhooks/webhook-auth.js';
import { statusCallbackToken } from '../../../../sandbox/static-secrets.js';
import { parseWebhookPayload, type WebhookEvent } from '../../../../lambdas/webhooks/webhook-payload.js';

const secret = 'test-webhook-secret';
const token = 'generated-callback-token';
// Plain values behind the getters; `fetched` records which secret a request made us read.
const fetched: string[] = [];
const secrets = {
  webhookSecret: async () => (fetched.push('webhook'), secret),
  callbackToken: async () => (fetched.push('token'), token),
};
const check = async (route: 'receive' | 'status', signingHeader: string | undefined, given: string | undefined) =>
  (await webhookCredential(route, { signingHeader, token: given }, secrets)) !== undefined;

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

  it('says which credential let the request in', async () => {
    expect(await webhookCredential('status', { signingHeader: secret, token }, secrets)).toBe('signing-secret');
    expect(await webhookCredential('status', { signingHeader: undefined, token }, secrets)).toBe('status-token');
    expect(await webhookCredential('status', { signingHeader: 'wrong', token }, secrets)).toBe('status-token');
  });

  it('the status token records outbound statuses only, without group membership or name', () => {
    const parse = (body: Record<string, unknown>) =>
      (parseWebhookPayload(body, 'outbound') as { ok: true; event: WebhookEvent }).event;
    const outbound = parse({
      message_handle: 'h',
      status: 'SENT',
      group_id: 'g',
      participants: ['+14155550123'],
      group_display_name: 'N',
    });
    expect(limitToStatusToken(outbound)).toEqual({
      ok: true,
      event: { ...outbound, participants: undefined, groupDisplayName: undefined },
    });
    const inbound = parse({ message_handle: 'h', is_outbound: false, group_id: 'g' });
    expect(limitToStatusToken(inbound)).toEqual({
      ok: false,
      error: expect.stringMatching(/only records status events for outbound messages/),
    });
  });

  it('reads only the secret that the presented credential needs', async () => {
    fetched.length = 0;
    await check('status', undefined, token);
    expect(fetched).toEqual(['token']);
    fetched.length = 0;
    await check('receive', undefined, undefined);
    expect(fetched).toEqual([]);
  });

  it("derives the sandbox's URL-safe token that does not contain the secret and changes with it", () => {
    const token = statusCallbackToken(secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(token).not.toContain(secret);
    expect(statusCallbackToken('another-secret')).not.toBe(token);
  });
});
