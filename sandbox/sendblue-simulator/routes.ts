/**
 * Which Sendblue API route a request is, and the function that answers it.
 */
import {
  listMessagesRoute,
  messageStatus,
  modifyGroup,
  renameGroup,
  retrieveGroup,
  retrieveMessage,
  sendGroupMessage,
  type ApiContext,
  type ApiResult,
} from './api.js';
import {
  addAccountWebhooks,
  deleteAccountWebhooks,
  listAccountWebhooks,
  replaceAccountWebhooks,
} from './account-webhooks.js';
import { decodeSegment } from './http-util.js';

export interface MatchedRoute {
  /** Which faults with a `route` apply to it. */
  faultRoute: 'send' | 'modify' | 'rename' | 'read' | 'webhooks';
  /** POST, PUT and DELETE routes take a JSON body. */
  json: boolean;
  handle(ctx: ApiContext, body: unknown): ApiResult;
}

export type RouteMatch =
  | { kind: 'route'; route: MatchedRoute }
  | { kind: 'bad-path' }
  | { kind: 'wrong-method'; allowed: string }
  | { kind: 'none' };

interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  pattern: RegExp;
  faultRoute: MatchedRoute['faultRoute'];
  handle(ctx: ApiContext, body: unknown, param: string, query: Record<string, string>): ApiResult;
}

const ID = '([^/]+)';
const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    pattern: /^\/api\/send-group-message$/,
    faultRoute: 'send',
    handle: (ctx, body) => sendGroupMessage(ctx, body),
  },
  {
    method: 'POST',
    pattern: /^\/api\/modify-group$/,
    faultRoute: 'modify',
    handle: (ctx, body) => modifyGroup(ctx, body),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/v2/groups/${ID}/name$`),
    faultRoute: 'rename',
    handle: (ctx, body, id) => renameGroup(ctx, id, body),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v2/groups/${ID}$`),
    faultRoute: 'read',
    handle: (ctx, _b, id) => retrieveGroup(ctx, id),
  },
  {
    method: 'GET',
    pattern: /^\/api\/status$/,
    faultRoute: 'read',
    handle: (ctx, _b, _id, query) => messageStatus(ctx, query),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/messages$/,
    faultRoute: 'read',
    handle: (ctx, _b, _id, query) => listMessagesRoute(ctx, query),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v2/messages/${ID}$`),
    faultRoute: 'read',
    handle: (ctx, _b, handle) => retrieveMessage(ctx, handle),
  },
  {
    method: 'GET',
    pattern: /^\/api\/account\/webhooks$/,
    faultRoute: 'webhooks',
    handle: (ctx) => listAccountWebhooks(ctx),
  },
  {
    method: 'POST',
    pattern: /^\/api\/account\/webhooks$/,
    faultRoute: 'webhooks',
    handle: (ctx, body) => addAccountWebhooks(ctx, body),
  },
  {
    method: 'PUT',
    pattern: /^\/api\/account\/webhooks$/,
    faultRoute: 'webhooks',
    handle: (ctx, body) => replaceAccountWebhooks(ctx, body),
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/account\/webhooks$/,
    faultRoute: 'webhooks',
    handle: (ctx, body) => deleteAccountWebhooks(ctx, body),
  },
];

export function matchRoute(method: string, path: string, query: Record<string, string>): RouteMatch {
  const candidates = ROUTES.map((route) => ({ route, match: route.pattern.exec(path) })).filter((c) => c.match);
  if (!candidates.length) return { kind: 'none' };
  const found = candidates.find((c) => c.route.method === method);
  if (!found?.match)
    return { kind: 'wrong-method', allowed: [...new Set(candidates.map((c) => c.route.method))].join(', ') };
  const raw = found.match[1];
  const param = raw === undefined ? '' : decodeSegment(raw);
  if (param === undefined) return { kind: 'bad-path' };
  const { route } = found;
  return {
    kind: 'route',
    route: {
      faultRoute: route.faultRoute,
      json: route.method !== 'GET',
      handle: (ctx, body) => route.handle(ctx, body, param, query),
    },
  };
}
