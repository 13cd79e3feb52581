/**
 * The sandbox's API Gateway stand-in, driven over real HTTP with tiny fake handlers that echo the
 * event they receive (the real handlers have their own tests).
 */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../lambdas/platform/logger.js';
import {
  API_GATEWAY_MAX_BODY_BYTES,
  createApiServer,
  type ApiHandler,
  type ApiServer,
} from '../../../sandbox/http-adapter.js';

interface Call {
  target: 'ingest' | 'read';
  event: APIGatewayProxyEventV2;
}
const calls: Call[] = [];
/** What the fake handlers answer; by default they echo the event. */
let handlerResult: ((event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>) | undefined;
const fake =
  (target: Call['target']): ApiHandler =>
  async (event) => {
    calls.push({ target, event });
    if (handlerResult) return handlerResult(event);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
  };

const logged: Array<{ level: string; message: string; data?: Record<string, unknown> }> = [];
const captureLogger: Logger = {
  debug: (message, data) => logged.push({ level: 'debug', message, data }),
  info: (message, data) => logged.push({ level: 'info', message, data }),
  warn: (message, data) => logged.push({ level: 'warn', message, data }),
  error: (message, data) => logged.push({ level: 'error', message, data }),
};

/** Raw HTTP, so tests control repeated headers, chunking and exact bytes. */
function send(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string | string[]>; body?: Buffer | string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${options.path}`,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
const json = (body: Buffer) => JSON.parse(body.toString('utf8'));

describe('sandbox HTTP adapter (API Gateway HTTP API, payload 2.0)', () => {
  let api: ApiServer;
  let base: string;

  beforeAll(async () => {
    api = createApiServer({
      handlers: { ingest: fake('ingest'), read: fake('read') },
      logger: captureLogger,
      extraRoutes: (req, res) => {
        if (req.url !== '/') return false;
        res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>sandbox</h1>');
        return true;
      },
    });
    base = await api.listen(0);
  });
  afterAll(() => api.close());
  beforeEach(() => {
    calls.length = 0;
    logged.length = 0;
    handlerResult = undefined;
  });

  it('turns a webhook POST into the event API Gateway would send', async () => {
    const payload = JSON.stringify({ message_handle: 'm-1', content: 'héllo' });
    const res = await send(base, {
      method: 'POST',
      path: '/webhooks/receive',
      headers: { 'Content-Type': 'application/json', 'SB-Signing-Secret': 's3cret', 'User-Agent': 'sendblue-test' },
      body: payload,
    });
    expect(res.status).toBe(200);
    expect(calls.map((c) => c.target)).toEqual(['ingest']);
    const event = calls[0]!.event;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhooks/receive',
      rawPath: '/webhooks/receive',
      rawQueryString: '',
      body: payload,
      isBase64Encoded: false,
      requestContext: {
        accountId: 'sandbox',
        apiId: 'sandbox',
        domainName: base.replace('http://', ''),
        http: {
          method: 'POST',
          path: '/webhooks/receive',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'sendblue-test',
        },
        routeKey: 'POST /webhooks/receive',
        stage: '$default',
      },
    });
    expect(event.headers).toMatchObject({ 'content-type': 'application/json', 'sb-signing-secret': 's3cret' });
    // Absent, not empty, like API Gateway.
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['apigw-requestid']).toBe(event.requestContext.requestId);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5000);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('matches read routes, decodes path parameters and query strings', async () => {
    await send(base, { path: '/groups/a%2Fb%20c/messages?limit=5&order=asc&x=1&x=2&q=a%20b+c' });
    const event = calls[0]!.event;
    expect(calls[0]!.target).toBe('read');
    expect(event.routeKey).toBe('GET /groups/{group_id}/messages');
    expect(event.rawPath).toBe('/groups/a%2Fb%20c/messages');
    expect(event.rawQueryString).toBe('limit=5&order=asc&x=1&x=2&q=a%20b+c');
    expect(event.pathParameters).toEqual({ group_id: 'a/b c' });
    expect(event.queryStringParameters).toEqual({ limit: '5', order: 'asc', x: '1,2', q: 'a b c' });
    expect(event).not.toHaveProperty('body');

    await send(base, { path: '/messages/H%C3%A9-1' });
    expect(calls[1]!.event.routeKey).toBe('GET /messages/{message_handle}');
    expect(calls[1]!.event.pathParameters).toEqual({ message_handle: 'Hé-1' });
  });

  it('answers 400 for malformed percent-encoding in a path parameter', async () => {
    const res = await send(base, { path: '/groups/%E0%A4%A' });
    expect(res.status).toBe(400);
    expect(calls).toEqual([]);
  });

  it('lower-cases header names, joins repeated headers with "," and moves cookies out', async () => {
    await send(base, {
      path: '/health',
      headers: { 'X-Custom-Thing': ['one', 'two'], Cookie: 'a=1; b=2', 'X-Forwarded-For': '203.0.113.9' },
    });
    const { event } = calls[0]!;
    expect(event.headers['x-custom-thing']).toBe('one,two');
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('passes text bodies as utf-8 and everything else as base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    await send(base, {
      method: 'POST',
      path: '/webhooks/status',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await send(base, {
      method: 'POST',
      path: '/webhooks/status',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    await send(base, {
      method: 'POST',
      path: '/webhooks/status',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'plain',
    });
    await send(base, {
      method: 'POST',
      path: '/webhooks/status',
      headers: { 'content-type': 'application/vnd.api+json' },
      body: '{}',
    });
    const [binary, form, text, vendorJson] = calls.map((c) => c.event);
    expect(binary).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
    expect(form).toMatchObject({ isBase64Encoded: true, body: Buffer.from('a=1').toString('base64') });
    expect(text).toMatchObject({ isBase64Encoded: false, body: 'plain' });
    expect(vendorJson).toMatchObject({ isBase64Encoded: false, body: '{}' });
  });

  it('answers unknown routes (and wrong methods) with API Gateway 404, without calling a handler', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/health'],
      ['GET', '/webhooks/receive'],
      ['GET', '/groups/a/b/c'],
    ]) {
      const res = await send(base, { method: method!, path: path! });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(json(res.body)).toEqual({ message: 'Not Found' });
    }
    expect(calls).toEqual([]);
  });

  it('answers 413 for a body over API Gateway’s 10 MB limit, without calling the handler', async () => {
    const res = await send(base, {
      method: 'POST',
      path: '/webhooks/receive',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(API_GATEWAY_MAX_BODY_BYTES + 1, 32),
    });
    expect(res.status).toBe(413);
    expect(json(res.body)).toEqual({ message: 'Request Entity Too Large' });
    expect(calls).toEqual([]);

    // Exactly at the limit is still passed on.
    const atLimit = await send(base, {
      method: 'POST',
      path: '/webhooks/receive',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.alloc(API_GATEWAY_MAX_BODY_BYTES, 32),
    });
    expect(atLimit.status).toBe(200);
    expect(calls[0]!.event.body).toHaveLength(API_GATEWAY_MAX_BODY_BYTES);
  });

  it('answers 413 for a chunked body that grows past the limit', async () => {
    const small = createApiServer({
      handlers: { ingest: fake('ingest'), read: fake('read') },
      maxBodyBytes: 1000,
      logger: captureLogger,
    });
    const smallBase = await small.listen(0);
    try {
      const res = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${smallBase}/webhooks/receive`,
          { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
          (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let i = 0; i < 20; i += 1) req.write(Buffer.alloc(100, 32));
        req.end();
      });
      expect(res).toBe(413);
      expect(calls).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('answers 500 like API Gateway when the handler throws, and logs the error', async () => {
    handlerResult = async () => {
      throw new Error('boom');
    };
    const res = await send(base, { path: '/health' });
    expect(res.status).toBe(500);
    expect(json(res.body)).toEqual({ message: 'Internal Server Error' });
    const error = logged.find((entry) => entry.level === 'error');
    expect(error?.message).toBe('handler threw');
    expect(error?.data).toMatchObject({ routeKey: 'GET /health', error: expect.objectContaining({ message: 'boom' }) });
  });

  it('writes status, headers, cookies and base64 bodies from the handler result', async () => {
    handlerResult = async () => ({
      statusCode: 201,
      headers: { 'content-type': 'image/png', 'x-count': 3 },
      cookies: ['a=1; Path=/', 'b=2'],
      isBase64Encoded: true,
      body: Buffer.from([137, 80, 78, 71]).toString('base64'),
    });
    const res = await send(base, { path: '/health' });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-count']).toBe('3');
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
    expect([...res.body]).toEqual([137, 80, 78, 71]);
  });

  it('treats a result without statusCode as a 200 JSON body (payload 2.0 inference)', async () => {
    handlerResult = async () => ({ ok: true }) as unknown as APIGatewayProxyResultV2;
    const res = await send(base, { path: '/health' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(json(res.body)).toEqual({ ok: true });
  });

  it('tries extraRoutes first', async () => {
    const res = await send(base, { path: '/' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('<h1>sandbox</h1>');
    expect(calls).toEqual([]);
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(api.server.address()).toMatchObject({ address: '127.0.0.1' });
    const port = new URL(base).port;
    const external = Object.values(networkInterfaces())
      .flat()
      .find((info) => info && info.family === 'IPv4' && !info.internal);
    if (external) {
      await expect(send(`http://${external.address}:${port}`, { path: '/health' })).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    }
  });
});
