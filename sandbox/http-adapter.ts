/**
 * The sandbox's stand-in for API Gateway (HTTP API, payload format 2.0): turns each Node request
 * into the event API Gateway would send to the Lambda, calls the same handler, and writes the
 * handler's result back the way API Gateway would. Routes come from ROUTES, as in the stack.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { createLogger, type Logger } from '../lambdas/platform/logger.js';
import { readBody, TOO_LARGE } from './read-body.js';
import { routeKey, type RouteTarget } from '../lambdas/contract/routes.js';
import { matchRoute } from './route-match.js';

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

/** API Gateway's own payload limit; the ingest handler enforces a smaller one itself. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiServerOptions {
  handlers: Record<RouteTarget, ApiHandler>;
  /** @default API_GATEWAY_MAX_BODY_BYTES */
  maxBodyBytes?: number;
  /** Tried before the API routes (e.g. a web page on `/`); returns true when it answered. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  logger?: Logger;
}

export interface ApiServer {
  server: Server;
  /** Listens on 127.0.0.1 only (0 = any free port) and resolves with the base URL. */
  listen(port: number): Promise<string>;
  close(): Promise<void>;
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const maxBodyBytes = options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES;
  const logger = options.logger ?? createLogger({ base: { component: 'sandbox-api' } });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.extraRoutes?.(req, res)) return;
    const started = Date.now();
    const requestId = randomUUID();
    res.setHeader('apigw-requestid', requestId);
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
    const method = (req.method ?? 'GET').toUpperCase();
    const done = (status: number) =>
      logger.info('api request', { method, path: rawPath, status, ms: Date.now() - started, requestId });

    // Matched on the raw path so an encoded "/" stays inside its segment; parameters decoded after.
    const match = matchRoute(method, rawPath);
    if (!match) return done(sendJson(res, 404, { message: 'Not Found' }));
    const pathParameters = decodeParameters(match.pathParameters);
    if (!pathParameters) return done(sendJson(res, 400, { message: 'Bad Request' }));

    const body = await readBody(req, maxBodyBytes);
    if (body === TOO_LARGE) {
      res.setHeader('connection', 'close');
      return done(sendJson(res, 413, { message: 'Request Entity Too Large' }));
    }

    const event = toEvent(req, {
      body,
      rawPath,
      rawQueryString: queryStart === -1 ? '' : url.slice(queryStart + 1),
      routeKey: routeKey(match.route),
      pathParameters,
      requestId,
      now: new Date(started),
    });
    let result: APIGatewayProxyResultV2;
    try {
      result = await options.handlers[match.route.target](event);
    } catch (error) {
      // The stack too: locally, where the handler broke matters more than a compact log line.
      const stack = error instanceof Error ? error.stack : undefined;
      logger.error('handler threw', { routeKey: event.routeKey, requestId, error, stack });
      return done(sendJson(res, 500, { message: 'Internal Server Error' }));
    }
    done(writeResult(res, result, logger));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A client that went away mid-body, or a bug here: never leave the socket hanging.
      logger.error('sandbox api adapter failed', { error, path: req.url?.split('?')[0] });
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  });

  return {
    server,
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          const address = server.address();
          resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`);
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        // Keep-alive clients must not hold the shutdown for long.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}

function decodeParameters(raw: Record<string, string>): Record<string, string> | undefined {
  try {
    return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, decodeURIComponent(value)]));
  } catch {
    return undefined; // malformed percent-encoding
  }
}

interface EventParts {
  body: Buffer;
  rawPath: string;
  rawQueryString: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  requestId: string;
  now: Date;
}

function toEvent(req: IncomingMessage, parts: EventParts): APIGatewayProxyEventV2 {
  const { headers, cookies } = splitHeaders(req.rawHeaders);
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';
  return buildApiEvent({
    ...parts,
    method: req.method ?? 'GET',
    headers,
    cookies,
    sourceIp,
    protocol: `HTTP/${req.httpVersion}`,
    domainName: headers.host ?? `127.0.0.1:${req.socket.localPort}`,
  });
}

export interface ApiEventInput extends EventParts {
  method: string;
  /** Lower-cased names, one value each. */
  headers: Record<string, string>;
  cookies: string[];
  sourceIp: string;
  protocol: string;
  domainName: string;
}

/**
 * The event API Gateway (HTTP API, payload 2.0) hands a Lambda. The adapter builds every request's
 * event with it, and handler tests build theirs with it too, so both see one shape.
 */
export function buildApiEvent(input: ApiEventInput): APIGatewayProxyEventV2 {
  const { headers, domainName } = input;
  const isText = isTextContentType(headers['content-type']);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    headers,
    requestContext: {
      accountId: 'sandbox',
      apiId: 'sandbox',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: input.method.toUpperCase(),
        path: input.rawPath,
        protocol: input.protocol,
        sourceIp: input.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: apiGatewayTime(input.now),
      timeEpoch: input.now.getTime(),
    },
    isBase64Encoded: input.body.length > 0 && !isText,
  };
  // Like API Gateway, optional fields are absent (not empty) when there is nothing to put there.
  if (input.cookies.length > 0) event.cookies = input.cookies;
  const query = parseQuery(input.rawQueryString);
  if (query) event.queryStringParameters = query;
  if (Object.keys(input.pathParameters).length > 0) event.pathParameters = input.pathParameters;
  if (input.body.length > 0) event.body = input.body.toString(isText ? 'utf8' : 'base64');
  return event;
}

/**
 * Lower-cased names, repeated headers joined with ',' (Node's own join drops some duplicates);
 * cookies moved out of the headers into a list, as API Gateway does.
 */
function splitHeaders(rawHeaders: string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    if (name === 'cookie')
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    params[key] = key in params ? `${params[key]},${value}` : value;
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

/** HTTP APIs pass text bodies as-is and base64-encode everything else (no content-type included). */
function isTextContentType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^text\/|^application\/(json|javascript|xml)$|^application\/[^/]+\+(json|xml)$/.test(mediaType);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** API Gateway's `requestContext.time` format: `12/Mar/2020:19:03:58 +0000`. */
function apiGatewayTime(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): number {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return statusCode;
}

/** Writes a Lambda result as API Gateway does for payload format 2.0. */
function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2, logger: Logger): number {
  // A result without statusCode is "inferred": 200 and the value itself as a JSON body.
  if (typeof result !== 'object' || result === null || result.statusCode === undefined) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? '');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return 200;
  }
  const { statusCode } = result;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    logger.error('handler returned an invalid statusCode', { statusCode });
    return sendJson(res, 500, { message: 'Internal Server Error' });
  }
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  res.setHeader('content-length', body.length);
  res.writeHead(statusCode);
  res.end(body);
  return statusCode;
}
