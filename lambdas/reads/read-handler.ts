import { idProblem } from '../contract/ids.js';
import { isTimelineCursorFor, TIMELINE_CURSOR_KEYS } from '../contract/keys.js';
import { CONTACT_CURSOR_KEYS, isOptedOutCursor } from '../contract/keys.js';
import { isE164 } from '../contract/sendblue-rules.js';
import {
  commandView,
  contactView,
  GROUP_SUMMARY_WINDOW,
  groupView,
  messageDetailView,
  timelineMessageView,
} from '../contract/views.js';
import { errorResponse, json, type HttpHandler, type HttpResult } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { archiveLink } from './media-links.js';
import type { MediaLinker, ReadStore } from './ports.js';

export interface ReadDeps {
  store: ReadStore;
  logger: Logger;
  /**
   * Checks storage for GET /health (the sandbox passes one). Without it /health answers 200 without
   * touching DynamoDB: in AWS the route is open to anyone, and must not let them spend read units.
   */
  checkHealth?: () => Promise<void>;
  /** Presigned links to archived media (absent when the stack does not keep media). */
  mediaLinks?: MediaLinker;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 100;
/** A plain whole number: no sign, exponent, hex, blanks or decimals (`Number()` takes all of those). */
const PLAIN_INTEGER = /^\d{1,3}$/;

/** GET /health, /groups/{group_id}, /groups/{group_id}/messages, /messages/{handle}, /commands/{id}, /contacts/{number}, /contacts. */
export function createReadHandler({ store, logger, checkHealth, mediaLinks }: ReadDeps): HttpHandler {
  const routes: Record<string, (id: string, query: Record<string, string | undefined>) => Promise<HttpResult>> = {
    'GET /groups/{group_id}': async (groupId) => {
      const [record, recent] = await Promise.all([
        store.getGroup(groupId),
        store.listGroupMessages(groupId, { limit: GROUP_SUMMARY_WINDOW, order: 'desc' }),
      ]);
      if (!record && !recent.items.length) return errorResponse(404, `group ${groupId} not found`);
      return json(200, groupView(groupId, record, recent.items));
    },
    'GET /groups/{group_id}/messages': async (groupId, query) => {
      const limit =
        query.limit === undefined ? DEFAULT_PAGE : PLAIN_INTEGER.test(query.limit) ? Number(query.limit) : NaN;
      if (!(limit >= 1 && limit <= MAX_PAGE))
        return errorResponse(400, `limit must be a whole number from 1 to ${MAX_PAGE}`);
      const order = query.order ?? 'desc';
      if (order !== 'asc' && order !== 'desc') return errorResponse(400, 'order must be asc or desc');
      let startKey: Record<string, string> | undefined;
      if (query.cursor !== undefined) {
        startKey = decodeCursor(query.cursor, TIMELINE_CURSOR_KEYS);
        if (!startKey || !isTimelineCursorFor(groupId, startKey))
          return errorResponse(400, 'cursor is not valid for this group');
      }
      const page = await store.listGroupMessages(groupId, { limit, order, startKey });
      if (!page.items.length && !startKey && !(await store.getGroup(groupId))) {
        return errorResponse(404, `group ${groupId} not found`);
      }
      // The page's reactions in one BatchGetItem beside it (the timeline index does not hold them).
      const reactions = page.items.length
        ? await store.getReactions(page.items.map((item) => item.message_handle))
        : new Map();
      return json(200, {
        messages: page.items.map((item) => timelineMessageView(item, reactions.get(item.message_handle))),
        next_cursor: encodeCursor(page.nextKey),
      });
    },
    'GET /messages/{message_handle}': async (handle) => {
      const found = await store.getMessageWithHistory(handle);
      if (!found) return errorResponse(404, `message ${handle} not found`);
      const link = await archiveLink(mediaLinks, found.message.media_archive, logger);
      return json(200, messageDetailView(found.message, found.history, link, found.reactions));
    },
    'GET /commands/{command_id}': async (commandId) => {
      const command = await store.getCommand(commandId);
      return command ? json(200, commandView(command)) : errorResponse(404, `command ${commandId} not found`);
    },
    'GET /contacts/{number}': async (number) => {
      const contact = await store.getContact(number);
      return contact ? json(200, contactView(contact)) : errorResponse(404, `contact ${number} not found`);
    },
  };

  /** GET /contacts?opted_out=true: the opted-out contacts, newest first, paged (the sparse GSI1 list). */
  async function optedOutContacts(query: Record<string, string | undefined>): Promise<HttpResult> {
    if (query.opted_out !== 'true')
      return errorResponse(400, 'opted_out=true is required: only the opted-out contacts can be listed');
    const limit =
      query.limit === undefined ? DEFAULT_PAGE : PLAIN_INTEGER.test(query.limit) ? Number(query.limit) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE))
      return errorResponse(400, `limit must be a whole number from 1 to ${MAX_PAGE}`);
    let startKey: Record<string, string> | undefined;
    if (query.cursor !== undefined) {
      startKey = decodeCursor(query.cursor, CONTACT_CURSOR_KEYS);
      if (!startKey || !isOptedOutCursor(startKey)) return errorResponse(400, 'cursor is not valid for this list');
    }
    const page = await store.listOptedOut({ limit, startKey });
    return json(200, {
      contacts: page.items.map((entry) => ({ number: entry.number, opted_out_since: entry.since })),
      next_cursor: encodeCursor(page.nextKey),
    });
  }

  async function health(): Promise<HttpResult> {
    try {
      await checkHealth?.();
      return json(200, { ok: true });
    } catch (error) {
      logger.error('health check failed: storage is not answering', { error });
      return json(503, { ok: false, error: 'storage is not answering (DynamoDB); see the log' });
    }
  }

  return async (event) => {
    if (event.routeKey === 'GET /health') return health();
    if (event.routeKey === 'GET /contacts') {
      try {
        return await optedOutContacts(event.queryStringParameters ?? {});
      } catch (error) {
        logger.error('read failed', { error, route: event.routeKey });
        return errorResponse(503, 'storage unavailable; retry later');
      }
    }
    const route = routes[event.routeKey];
    const [name, id] = Object.entries(event.pathParameters ?? {})[0] ?? [];
    if (!route || name === undefined || id === undefined) return errorResponse(404, 'no such route');
    const problem =
      name === 'number'
        ? isE164(id)
          ? undefined
          : 'must be an E.164 number such as +15551230001 (write the + as %2B in a URL)'
        : idProblem(id);
    if (problem) return errorResponse(400, `${name} ${problem}`);
    try {
      return await route(id, event.queryStringParameters ?? {});
    } catch (error) {
      logger.error('read failed', { error, route: event.routeKey });
      return errorResponse(503, 'storage unavailable; retry later');
    }
  };
}
