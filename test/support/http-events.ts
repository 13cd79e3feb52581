import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { routeKey } from '../../lambdas/contract/routes.js';
import { matchRoute } from '../../sandbox/route-match.js';
import { buildApiEvent } from '../../sandbox/http-adapter.js';

/** The API Gateway v2 event a route receives, built by the sandbox adapter's own builder. */
export function apiEvent(options: {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}): APIGatewayProxyEventV2 {
  const match = matchRoute(options.method, options.path);
  const body = Buffer.from(options.body ?? '', 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  return buildApiEvent({
    method: options.method,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    routeKey: match ? routeKey(match.route) : '$default',
    pathParameters: match?.pathParameters ?? {},
    headers,
    cookies: [],
    body,
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    domainName: '127.0.0.1',
    requestId: randomUUID(),
    now: new Date(),
  });
}

export const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

let counter = 0;
/** A fresh group receive webhook with unique ids, based on the documented example. */
export function inboundPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    ...fixture('receive-group.json'),
    message_handle: `in-${randomUUID()}`,
    date_sent: new Date(Date.UTC(2026, 10, 20, 17, 0, counter)).toISOString(),
    ...overrides,
  };
}

export function statusPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...fixture('status-callback.json'), ...overrides };
}

export const parseBody = (result: { body?: string }) => JSON.parse(result.body ?? 'null');
