import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../../lambdas/contract/routes.js';
import { matchRoute } from '../../../../sandbox/route-match.js';

describe('routes', () => {
  it('matches path templates and extracts parameters', () => {
    const match = matchRoute('GET', '/groups/g-1/messages');
    expect(match?.route.path).toBe('/groups/{group_id}/messages');
    expect(match?.pathParameters).toEqual({ group_id: 'g-1' });
  });

  it('does not match the wrong method or unknown paths', () => {
    expect(matchRoute('GET', '/webhooks/receive')).toBeUndefined();
    expect(matchRoute('GET', '/groups')).toBeUndefined();
    expect(matchRoute('GET', '/groups/a/b/c')).toBeUndefined();
  });

  it('protects every read route with IAM except /health', () => {
    for (const route of ROUTES.filter((r) => r.target === 'read')) {
      expect(route.auth).toBe(route.path === '/health' ? 'none' : 'iam');
    }
  });
});
