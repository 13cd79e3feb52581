/**
 * Control endpoints (/__simulator/*) so another process (the sandbox, a shell) can drive the
 * simulator: faults, the request log, member replies, the account's webhooks (secrets redacted).
 * No API key; loopback callers only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkFault, checkFaultMix, type CheckedFault } from './faults.js';
import { errorBody, isLoopback, parseJson, readBody, sendJson, TOO_LARGE } from './http-util.js';
import type { CallbackDelivery, Fault, FaultMix, SimMessage, SimulatorRequest } from './types.js';
import { checkWebhookFault, type WebhookFault } from './webhook-faults.js';

export const CONTROL_PREFIX = '/__simulator/';

export interface ControlActions {
  injectFault(fault: Fault): void;
  setFaultMix(mix: FaultMix): void;
  clearFaults(): void;
  pendingFaults(): CheckedFault[];
  dropWebhooks(fault: WebhookFault): void;
  clearWebhookFaults(): void;
  webhookFaults(): { drop: number; rate: number | null; seed: number | null };
  requests(): SimulatorRequest[];
  callbacks(): CallbackDelivery[];
  messages(): SimMessage[];
  hasGroup(groupId: string): boolean;
  memberReply(groupId: string, content?: string, mediaUrl?: string): Promise<SimMessage>;
  /** The account's registered webhooks, secrets redacted. */
  accountWebhooks(): Record<string, unknown>;
  reset(): void;
}

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  method: string,
  actions: ControlActions,
): Promise<void> {
  if (!isLoopback(req))
    return void sendJson(res, 403, errorBody('Control endpoints answer loopback callers only', 'forbidden'));
  const route = `${method} ${path.slice(CONTROL_PREFIX.length)}`;
  if (method === 'GET' && route.startsWith('GET media/')) return serveMedia(res, route.slice('GET media/'.length));
  const ok = (data: Record<string, unknown> = {}) => void sendJson(res, 200, { status: 'OK', ...data });
  const bad = (message: string, status = 400) =>
    void sendJson(res, status, errorBody(message, status === 404 ? 'not_found' : 'validation_error'));

  switch (route) {
    case 'GET requests':
      return ok({ requests: actions.requests() });
    case 'GET callbacks':
      return ok({ callbacks: actions.callbacks() });
    case 'GET messages':
      return ok({ messages: actions.messages() });
    case 'GET webhooks':
      return ok({ webhooks: actions.accountWebhooks() });
    case 'GET faults':
      return ok({ faults: actions.pendingFaults() });
    case 'DELETE faults':
      actions.clearFaults();
      return ok({ faults: [] });
    case 'POST reset':
      actions.reset();
      return ok();
    case 'GET webhook-faults':
      return ok({ webhook_faults: actions.webhookFaults() });
    case 'DELETE webhook-faults':
      actions.clearWebhookFaults();
      return ok({ webhook_faults: actions.webhookFaults() });
    case 'POST faults':
    case 'POST fault-mix':
    case 'POST webhook-faults':
    case 'POST reply': {
      const body = await readBody(req);
      if (body === TOO_LARGE) return bad('body too large', 413);
      const parsed = parseJson(body);
      if (!parsed.ok) return bad('The body must be valid JSON');
      if (route === 'POST webhook-faults') {
        const checked = checkWebhookFault(parsed.value);
        if (!checked.ok) return bad(checked.error);
        actions.dropWebhooks(checked.fault);
        return ok({ webhook_faults: actions.webhookFaults() });
      }
      if (route === 'POST fault-mix') {
        const checked = checkFaultMix(parsed.value);
        if (!checked.ok) return bad(checked.error);
        actions.setFaultMix(checked.mix);
        return ok({ fault_mix: checked.mix });
      }
      if (route === 'POST faults') {
        const checked = checkFault(parsed.value);
        if (!checked.ok) return bad(checked.error);
        actions.injectFault(checked.fault);
        return ok({ faults: actions.pendingFaults() });
      }
      return reply(parsed.value, actions, ok, bad);
    }
    default:
      return bad(`No control route ${method} ${path}`, 404);
  }
}

async function reply(
  value: unknown,
  actions: ControlActions,
  ok: (data: Record<string, unknown>) => void,
  bad: (message: string, status?: number) => void,
): Promise<void> {
  const body = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const { group_id: groupId, content, media_url: mediaUrl } = body;
  if (typeof groupId !== 'string' || !groupId) return bad('group_id is required');
  if (content !== undefined && content !== null && typeof content !== 'string') return bad('content must be a string');
  if (mediaUrl !== undefined && mediaUrl !== null && typeof mediaUrl !== 'string')
    return bad('media_url must be a string');
  if (!actions.hasGroup(groupId)) return bad(`Group ${groupId} not found`, 404);
  try {
    const message = await actions.memberReply(
      groupId,
      (content as string | null | undefined) ?? undefined,
      (mediaUrl as string | null | undefined) ?? undefined,
    );
    return ok({ message });
  } catch (error) {
    return bad(error instanceof Error ? error.message : String(error), 409);
  }
}

/** A 1x1 PNG: what the simulator serves for any `media/<name>.png`, so a reply's media_url really downloads. */
export const SIMULATOR_PICTURE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

function serveMedia(res: ServerResponse, name: string): void {
  if (!/^[A-Za-z0-9._%-]{1,200}\.png$/i.test(name))
    return void sendJson(res, 404, errorBody('The simulator serves media/<name>.png only', 'not_found'));
  res.writeHead(200, {
    'content-type': 'image/png',
    'content-length': SIMULATOR_PICTURE.length,
    'cache-control': 'no-store',
  });
  res.end(SIMULATOR_PICTURE);
}
