/**
 * Control endpoints (/__simulator/*) so another process (the sandbox, a shell) can drive the
 * simulator: faults and outages, the request log, members who write and react, opt-outs, line
 * states and usage, the account's webhooks (secrets redacted). No API key; loopback callers only.
 * Every route is listed in README.md in this folder.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LineStatus, Reaction } from '../../lambdas/contract/sendblue-rules.js';
import {
  checkLineState,
  checkOptOut,
  checkReact,
  checkReply,
  type ControlAnswer,
  failure,
  lineRoute,
} from './control-bodies.js';
import { checkFault, checkFaultMix, type CheckedFault } from './faults.js';
import { errorBody, isLoopback, parseJson, readBody, sendJson, TOO_LARGE } from './http-util.js';
import { checkOutage, type OutageState } from './outages.js';
import type {
  CallbackDelivery,
  Fault,
  FaultMix,
  MemberMessage,
  MemberReaction,
  Outage,
  SimMessage,
  SimulatorRequest,
} from './types.js';
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
  hasMessage(handle: string): boolean;
  memberReply(groupId: string, message: MemberMessage): Promise<SimMessage>;
  memberReacts(handle: string, reaction: Reaction, options: MemberReaction): Promise<SimMessage>;
  optOut(number: string, optedOut: boolean): void;
  optedOut(): string[];
  /** The account's lines. */
  lineNumbers(): readonly string[];
  setLineState(line: string, status: LineStatus): void;
  /** `GET /api/v2/lines/state` and `GET /api/v2/lines/usage`, as the API answers them. */
  lines(): { state: unknown; usage: unknown };
  clearNewContactUsage(line?: string): void;
  startOutage(outage: Outage): Promise<void>;
  outages(): OutageState;
  endOutages(): Promise<void>;
  /** The account's registered webhooks, secrets redacted. */
  accountWebhooks(): Record<string, unknown>;
  reset(): void;
}

/** Routes that read a JSON body. */
const BODY_ROUTES = new Set([
  'POST faults',
  'POST fault-mix',
  'POST webhook-faults',
  'POST reply',
  'POST react',
  'POST opt-out',
  'POST outage',
]);

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

  let body: unknown;
  const perLine = lineRoute(route);
  if (BODY_ROUTES.has(route) || perLine?.action === 'POST state') {
    const raw = await readBody(req);
    if (raw === TOO_LARGE) return send(res, failure('body too large', 413));
    const parsed = parseJson(raw);
    if (!parsed.ok) return send(res, failure('The body must be valid JSON'));
    body = parsed.value;
  }
  const answer = perLine ? lineAction(perLine, body, actions) : await dispatch(route, body, actions, res);
  if (answer) send(res, answer);
}

const send = (res: ServerResponse, answer: ControlAnswer) =>
  void (answer.ok
    ? sendJson(res, 200, { status: 'OK', ...answer.data })
    : sendJson(
        res,
        answer.status,
        errorBody(answer.message, answer.status === 404 ? 'not_found' : 'validation_error'),
      ));
const ok = (data: Record<string, unknown> = {}): ControlAnswer => ({ ok: true, data });

/** The answer to a fixed route; undefined when it was sent already (an outage that closes the port). */
async function dispatch(
  route: string,
  body: unknown,
  actions: ControlActions,
  res: ServerResponse,
): Promise<ControlAnswer | undefined> {
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
    case 'POST webhook-faults': {
      const checked = checkWebhookFault(body);
      if (!checked.ok) return failure(checked.error);
      actions.dropWebhooks(checked.fault);
      return ok({ webhook_faults: actions.webhookFaults() });
    }
    case 'POST fault-mix': {
      const checked = checkFaultMix(body);
      if (!checked.ok) return failure(checked.error);
      actions.setFaultMix(checked.mix);
      return ok({ fault_mix: checked.mix });
    }
    case 'POST faults': {
      const checked = checkFault(body);
      if (!checked.ok) return failure(checked.error);
      actions.injectFault(checked.fault);
      return ok({ faults: actions.pendingFaults() });
    }
    case 'POST reply':
      return reply(body, actions);
    case 'POST react':
      return react(body, actions);
    case 'POST opt-out': {
      const checked = checkOptOut(body);
      if (!checked.ok) return failure(checked.error);
      actions.optOut(checked.number, checked.optedOut);
      return ok({ number: checked.number, opted_out: checked.optedOut });
    }
    case 'GET contacts':
      return ok({ opted_out: actions.optedOut() });
    case 'GET lines':
      return ok(actions.lines());
    case 'DELETE lines/usage':
      actions.clearNewContactUsage();
      return ok(actions.lines());
    case 'GET outage':
      return ok({ outage: actions.outages() });
    case 'DELETE outage':
      await actions.endOutages();
      return ok({ outage: actions.outages() });
    case 'POST outage':
      return outage(body, actions, res);
    default:
      return failure(`No control route ${route}`, 404);
  }
}

function lineAction(
  perLine: NonNullable<ReturnType<typeof lineRoute>>,
  body: unknown,
  actions: ControlActions,
): ControlAnswer {
  if (!perLine.line || !actions.lineNumbers().includes(perLine.line))
    return failure('Not a line of this account (lines/<E.164 number>/...)', 404);
  switch (perLine.action) {
    case 'POST state': {
      const checked = checkLineState(body);
      if (!checked.ok) return failure(checked.error);
      actions.setLineState(perLine.line, checked.state);
      return ok(actions.lines());
    }
    case 'DELETE usage':
      actions.clearNewContactUsage(perLine.line);
      return ok(actions.lines());
    default:
      return failure(`No control route for a line: ${perLine.action}`, 404);
  }
}

async function reply(body: unknown, actions: ControlActions): Promise<ControlAnswer> {
  const checked = checkReply(body);
  if (!checked.ok) return failure(checked.error);
  if (!actions.hasGroup(checked.groupId)) return failure(`Group ${checked.groupId} not found`, 404);
  return written(actions.memberReply(checked.groupId, checked.message));
}

async function react(body: unknown, actions: ControlActions): Promise<ControlAnswer> {
  const checked = checkReact(body);
  if (!checked.ok) return failure(checked.error);
  if (!actions.hasMessage(checked.handle)) return failure(`Message ${checked.handle} not found`, 404);
  return written(actions.memberReacts(checked.handle, checked.reaction, checked.options));
}

async function written(task: Promise<SimMessage>): Promise<ControlAnswer> {
  try {
    return ok({ message: await task });
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error), 409);
  }
}

/** A refusal closes this very port: answered first, closed once the answer is out. */
async function outage(body: unknown, actions: ControlActions, res: ServerResponse): Promise<ControlAnswer | undefined> {
  const checked = checkOutage(body, actions.lineNumbers());
  if (!checked.ok) return failure(checked.error);
  if (checked.outage.kind === '503') {
    await actions.startOutage(checked.outage);
    return ok({ outage: actions.outages() });
  }
  const until = new Date(Date.now() + checked.outage.ms).toISOString();
  res.once('finish', () => void actions.startOutage(checked.outage));
  send(res, ok({ outage: { refuse: { until }, unavailable: actions.outages().unavailable } }));
  return undefined;
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
