/**
 * Reading messages back: GET /api/status, GET /api/v2/messages/{id}, GET /api/v2/messages.
 */
import { type ApiResult, errorResult, invalidResult, notFound } from './answers.js';
import type { ApiContext } from './context.js';
import { listMessages } from './list.js';
import { listRecord, messageRecord } from './records.js';

export function messageStatus(ctx: ApiContext, query: Record<string, string>): ApiResult {
  const handle = query.handle;
  if (!handle) return invalidResult('handle is required');
  const message = ctx.state.message(handle);
  if (!message) return notFound(`Message ${handle}`);
  return { status: 200, body: messageRecord(message, ctx.accountEmail) };
}

export function retrieveMessage(ctx: ApiContext, handle: string): ApiResult {
  const message = ctx.state.message(handle);
  if (!message) return notFound(`Message ${handle}`);
  return { status: 200, body: { status: 'OK', data: listRecord(message, ctx.accountEmail) } };
}

export function listMessagesRoute(ctx: ApiContext, query: Record<string, string>): ApiResult {
  const listed = listMessages(ctx.state.allMessages(), query);
  if (!listed.ok) return errorResult(listed.error);
  const { page, limit, offset, total } = listed.value;
  return {
    status: 200,
    body: {
      status: 'OK',
      data: page.map((message) => listRecord(message, ctx.accountEmail)),
      pagination: { hasMore: offset + page.length < total, limit, offset, total },
    },
  };
}
