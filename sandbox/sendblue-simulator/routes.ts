/**
 * Which Sendblue API route a request is, the function that answers it, and which of the
 * account's lines the call is about (for the request log and line outages).
 */
import {
  addAccountWebhooks,
  deleteAccountWebhooks,
  listAccountWebhooks,
  replaceAccountWebhooks,
} from './account-webhooks.js';
import type { ApiResult } from './answers.js';
import type { ApiContext } from './context.js';
import { modifyGroup, renameGroup, retrieveGroup } from './groups.js';
import { decodeSegment } from './http-util.js';
import { lineStates, lineUsage } from './lines-api.js';
import { evaluateService, optOutContact } from './numbers-api.js';
import { sendReaction } from './reactions.js';
import { listMessagesRoute, messageStatus, retrieveMessage } from './reads.js';
import { sendGroupMessage } from './send.js';
import type { FaultRoute } from './types.js';

export interface MatchedRoute {
  /** Which faults with a `route` apply to it. */
  faultRoute: Exclude<FaultRoute, 'any'>;
  /** POST, PUT and DELETE routes take a JSON body. */
  json: boolean;
  handle(ctx: ApiContext, body: unknown): ApiResult;
  /** The account lines the call names (`from_number`, `sendblue_number`) or acts through (its group's, its message's). */
  lines(ctx: ApiContext, body: unknown): string[];
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
  /** What the path's id is, when the route has one. */
  subject?: 'group' | 'message';
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
    subject: 'group',
    handle: (ctx, body, id) => renameGroup(ctx, id, body),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v2/groups/${ID}$`),
    faultRoute: 'read',
    subject: 'group',
    handle: (ctx, _b, id) => retrieveGroup(ctx, id),
  },
  {
    method: 'POST',
    pattern: /^\/api\/send-reaction$/,
    faultRoute: 'react',
    handle: (ctx, body) => sendReaction(ctx, body),
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
    subject: 'message',
    handle: (ctx, _b, handle) => retrieveMessage(ctx, handle),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/lines\/state$/,
    faultRoute: 'read',
    handle: (ctx) => lineStates(ctx),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/lines\/usage$/,
    faultRoute: 'read',
    handle: (ctx) => lineUsage(ctx),
  },
  {
    method: 'GET',
    pattern: /^\/api\/evaluate-service$/,
    faultRoute: 'read',
    handle: (ctx, _b, _id, query) => evaluateService(ctx, query),
  },
  {
    method: 'POST',
    pattern: /^\/api\/v2\/contacts\/opt-out$/,
    faultRoute: 'contacts',
    handle: (ctx, body) => optOutContact(ctx, body),
  },
  {
    method: 'GET',
    pattern: /^\/api\/account\/webhooks$/,
    faultRoute: 'webhooks',
    handle: (ctx) => listAccountWebhooks(ctx.accountWebhooks),
  },
  {
    method: 'POST',
    pattern: /^\/api\/account\/webhooks$/,
    faultRoute: 'webhooks',
    handle: (ctx, body) => addAccountWebhooks(ctx.accountWebhooks, body),
  },
  {
    method: 'PUT',
    pattern: /^\/api\/account\/webhooks$/,
    faultRoute: 'webhooks',
    handle: (ctx, body) => replaceAccountWebhooks(ctx.accountWebhooks, body),
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/account\/webhooks$/,
    faultRoute: 'webhooks',
    handle: (ctx, body) => deleteAccountWebhooks(ctx.accountWebhooks, body),
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
      lines: (ctx, body) => namedLines(ctx, body, query, route.subject ? { [route.subject]: param } : {}),
    },
  };
}

/**
 * The lines a call is about: the line it names, else the lines of the group or message it targets
 * (from the body, the query or the path); none for account-wide calls (lists, lines, webhooks).
 */
function namedLines(
  ctx: ApiContext,
  body: unknown,
  query: Record<string, string>,
  path: { group?: string; message?: string },
): string[] {
  const fields =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const named = [fields.from_number, query.from_number, query.sendblue_number].find(
    (value): value is string => typeof value === 'string' && ctx.lines.has(value),
  );
  if (named) return [named];
  const groupId = typeof fields.group_id === 'string' ? fields.group_id : path.group;
  const group = groupId === undefined ? undefined : ctx.state.group(groupId);
  if (group) return [...group.lines];
  const handle = typeof fields.message_handle === 'string' ? fields.message_handle : (query.handle ?? path.message);
  const message = handle === undefined ? undefined : ctx.state.message(handle);
  return message ? [message.line] : [];
}
