import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { matchRoute } from '../../lambdas/shared/routes';

/** Builds the API Gateway v2 event a route would receive (what the sandbox adapter also produces). */
export function apiEvent(options: {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}): APIGatewayProxyEventV2 {
  const match = matchRoute(options.method, options.path);
  const routeKey = match ? `${match.route.method} ${match.route.path}` : '$default';
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey,
    rawPath: options.path,
    rawQueryString,
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    queryStringParameters: options.query,
    pathParameters: match?.pathParameters,
    body: options.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'test', apiId: 'test', domainName: 'localhost', domainPrefix: 'localhost', requestId: randomUUID(),
      routeKey, stage: '$default', time: new Date().toISOString(), timeEpoch: Date.now(),
      http: { method: options.method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
    },
  };
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
