/**
 * The HTTP routes, defined once: the CDK stack creates exactly these API Gateway routes and the
 * sandbox matches requests against the same list, so both produce the same `routeKey` and
 * `pathParameters` for the handlers.
 */
export type RouteTarget = 'ingest' | 'read';
/** `iam`: SigV4-signed callers only in AWS (open on loopback in the sandbox). */
export type RouteAuth = 'webhook' | 'iam' | 'none';

export interface RouteDefinition {
  method: 'GET' | 'POST';
  /** API Gateway path template, e.g. `/groups/{group_id}`. */
  path: string;
  target: RouteTarget;
  auth: RouteAuth;
}

export const ROUTES: readonly RouteDefinition[] = [
  // Webhooks authenticate inside the handler (sb-signing-secret header or status token).
  { method: 'POST', path: '/webhooks/receive', target: 'ingest', auth: 'webhook' },
  { method: 'POST', path: '/webhooks/status', target: 'ingest', auth: 'webhook' },
  { method: 'GET', path: '/health', target: 'read', auth: 'none' },
  { method: 'GET', path: '/groups/{group_id}', target: 'read', auth: 'iam' },
  { method: 'GET', path: '/groups/{group_id}/messages', target: 'read', auth: 'iam' },
  { method: 'GET', path: '/messages/{message_handle}', target: 'read', auth: 'iam' },
  { method: 'GET', path: '/commands/{command_id}', target: 'read', auth: 'iam' },
  // Extensions (docs/contract.md §4 extensions): the contacts ledger.
  { method: 'GET', path: '/contacts/{number}', target: 'read', auth: 'iam' },
  { method: 'GET', path: '/contacts', target: 'read', auth: 'iam' },
];

export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;
