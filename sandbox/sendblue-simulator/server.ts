/**
 * The simulator's HTTP front: records every API call, answers 503 during an outage, checks the
 * API key headers, applies injected faults, routes to the Sendblue API functions, and hands
 * /__simulator/* to control.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../lambdas/platform/logger.js';
import { safeEqual } from '../../lambdas/webhooks/webhook-auth.js';
import { type ApiResult, faultAnswer } from './answers.js';
import type { ApiContext } from './context.js';
import { CONTROL_PREFIX, handleControl, type ControlActions } from './control.js';
import type { FaultQueue } from './faults.js';
import {
  errorBody,
  parseJson,
  parseQuery,
  readBody,
  recordedBody,
  safeHeaders,
  sendJson,
  TOO_LARGE,
} from './http-util.js';
import type { Outages } from './outages.js';
import { matchRoute, type MatchedRoute } from './routes.js';
import type { SimulatorRequest } from './types.js';

export interface ServerDeps {
  ctx: ApiContext;
  faults: FaultQueue;
  outages: Outages;
  requests: SimulatorRequest[];
  apiKeyId: string;
  apiSecretKey: string;
  control: ControlActions;
  logger: Logger;
}

export interface SimulatorServer {
  server: Server;
  /** Destroys the sockets of requests that were never answered (hang faults). */
  dropHungRequests(): void;
}

const OUTAGE_ANSWER = errorBody('Service temporarily unavailable (simulated outage)', 'service_unavailable');

export function createSimulatorServer(deps: ServerDeps): SimulatorServer {
  const hung = new Set<ServerResponse>();

  const hang = (res: ServerResponse) => {
    hung.add(res);
    res.once('close', () => hung.delete(res));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const method = (req.method ?? 'GET').toUpperCase();
    if (path.startsWith(CONTROL_PREFIX)) return handleControl(req, res, path, method, deps.control);

    const query = parseQuery(queryStart === -1 ? '' : url.slice(queryStart + 1));
    const body = await readBody(req);
    const entry: SimulatorRequest = {
      at: new Date().toISOString(),
      method,
      path,
      query: query ?? {},
      body: body === TOO_LARGE ? '[body too large]' : recordedBody(body),
      headers: safeHeaders(req),
      status: 0,
    };
    deps.requests.push(entry);
    const answer = (status: number, payload: unknown, headers?: Record<string, string>) => {
      entry.status = sendJson(res, status, payload, headers);
      deps.logger.debug('simulator api request', { method, path, status, fault: entry.fault });
    };

    if (body === TOO_LARGE) {
      res.setHeader('connection', 'close');
      return answer(413, errorBody('Request body too large', 'payload_too_large'));
    }
    // Down for everyone: answered before anything else, as by a load balancer in front of Sendblue.
    if (deps.outages.accountDown()) {
      entry.outage = '503';
      return answer(503, OUTAGE_ANSWER);
    }
    if (!path.startsWith('/api/')) return answer(404, errorBody(`No route ${method} ${path}`, 'not_found'));
    if (!isAuthorized(req, deps)) {
      return answer(
        401,
        errorBody('Unauthorized: sb-api-key-id and sb-api-secret-key must match an API key', 'unauthorized'),
      );
    }
    if (!query) return answer(400, errorBody('The query string has malformed percent-encoding', 'validation_error'));
    const match = matchRoute(method, path, query);
    if (match.kind === 'none') return answer(404, errorBody(`No route ${method} ${path}`, 'not_found'));
    if (match.kind === 'bad-path')
      return answer(400, errorBody('The path has malformed percent-encoding', 'validation_error'));
    if (match.kind === 'wrong-method') {
      res.setHeader('allow', match.allowed);
      return answer(405, errorBody(`${method} is not allowed on ${path}`, 'method_not_allowed'));
    }

    const input = parseInput(match.route, body);
    const lines = match.route.lines(deps.ctx, input.ok ? input.value : undefined);
    if (lines.length === 1) entry.line = lines[0];
    if (deps.outages.blocks(lines)) {
      entry.outage = '503';
      return answer(503, OUTAGE_ANSWER);
    }

    const fault = deps.faults.take(match.route.faultRoute);
    if (fault) entry.fault = fault;
    if (
      fault === '429' ||
      fault === '500' ||
      fault === '503' ||
      fault === '400' ||
      fault === '408' ||
      fault === '409'
    ) {
      const faulted = faultAnswer(fault, deps.ctx.retryAfterSeconds);
      return answer(faulted.status, faulted.body, faulted.headers);
    }
    if (fault === 'cut') {
      entry.status = 'cut';
      deps.logger.debug('simulator api request cut before it was processed (fault)', { method, path });
      res.socket?.destroy();
      return;
    }
    if (fault === 'hang') {
      entry.status = 'hang';
      deps.logger.debug('simulator api request hangs (fault)', { method, path });
      return hang(res);
    }

    const result = run(match.route, input, deps);

    if (fault === 'accept-then-cut') {
      entry.status = 'cut';
      entry.processedStatus = result.status;
      deps.logger.debug('simulator api request processed, connection cut (fault)', {
        method,
        path,
        processed: result.status,
      });
      res.socket?.destroy();
      return;
    }
    if (fault === 'accept-then-hang') {
      entry.status = 'hang';
      entry.processedStatus = result.status;
      deps.logger.debug('simulator api request processed, never answered (fault)', {
        method,
        path,
        processed: result.status,
      });
      return hang(res);
    }
    answer(result.status, result.body, result.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      deps.logger.error('simulator request failed', { error, path: req.url?.split('?')[0] });
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, errorBody('Simulator error', 'internal_error'));
      else res.destroy();
    });
  });
  // A client that sends garbage must not take the process down: it gets a JSON 4xx when it can still read one.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    socket.end(malformedRequestAnswer(error.code === 'HPE_HEADER_OVERFLOW'));
  });

  return {
    server,
    dropHungRequests() {
      for (const res of hung) res.socket?.destroy();
      hung.clear();
    },
  };
}

/** A raw HTTP answer for a request Node could not parse (too long a URL or headers, or not HTTP). */
function malformedRequestAnswer(tooLarge: boolean): string {
  const [status, reason, message] = tooLarge
    ? [431, 'Request Header Fields Too Large', 'The URL or headers are too large']
    : [400, 'Bad Request', 'The request is not valid HTTP'];
  const body = JSON.stringify(errorBody(message, tooLarge ? 'request_too_large' : 'bad_request'));
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** The JSON body of a POST/PUT/DELETE route; GET routes take none. */
function parseInput(route: MatchedRoute, body: Buffer): { ok: true; value: unknown } | { ok: false } {
  return route.json ? parseJson(body) : { ok: true, value: undefined };
}

/** Runs the route on its parsed body; a bug here answers 500, never crashes. */
function run(route: MatchedRoute, input: { ok: true; value: unknown } | { ok: false }, deps: ServerDeps): ApiResult {
  if (!input.ok) return { status: 400, body: errorBody('The body must be valid JSON', 'invalid_json') };
  try {
    return route.handle(deps.ctx, input.value);
  } catch (error) {
    deps.logger.error('simulator route failed', { error });
    return { status: 500, body: errorBody('Simulator error', 'internal_error') };
  }
}

function isAuthorized(req: IncomingMessage, deps: ServerDeps): boolean {
  const keyId = req.headers['sb-api-key-id'];
  const secret = req.headers['sb-api-secret-key'];
  if (typeof keyId !== 'string' || typeof secret !== 'string') return false;
  // Both compared, always, so timing says nothing about which one was wrong.
  const keyOk = safeEqual(keyId, deps.apiKeyId);
  const secretOk = safeEqual(secret, deps.apiSecretKey);
  return keyOk && secretOk;
}
