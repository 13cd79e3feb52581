/**
 * Sendblue in memory (test only): the sender's `SendblueApi` port answered by the simulator's own
 * route functions and state (sandbox/sendblue-simulator/: send.ts, groups.ts, reads.ts, SimState,
 * FaultQueue), called in process instead of over HTTP. It is not a second Sendblue: the same rules
 * answer, and the same fault kinds apply (500, 503, 429, 400, hang, cut before, accept-then-cut,
 * accept-then-hang), turned into the errors the real client throws (classifySendblueError) and
 * read with the real client's reader (asMessage). A hung call costs the client's timeout on the
 * given clock (a virtual one takes no real time).
 *
 * No webhooks are posted: statuses stay as Sendblue answered them (QUEUED), and member replies
 * never come. test/support/contracts/sendblue-contract.ts runs the same calls against this and
 * against the real client over HTTP (test/unit/lambdas/adapters/sendblue-client.test.ts).
 */
import { asMessage } from '../../../lambdas/adapters/sendblue-client.js';
import type { GroupSendParams, OutboundFilter, SendblueApi, SendblueMessage } from '../../../lambdas/sending/ports.js';
import { classifySendblueError, SendblueCallError } from '../../../lambdas/sending/sendblue-errors.js';
import { AccountWebhookRegistry } from '../../../sandbox/sendblue-simulator/account-webhooks.js';
import { type ApiResult, errorResult, faultAnswer } from '../../../sandbox/sendblue-simulator/answers.js';
import type { ApiContext } from '../../../sandbox/sendblue-simulator/context.js';
import { FaultQueue, LineLimiter } from '../../../sandbox/sendblue-simulator/faults.js';
import { modifyGroup, renameGroup, retrieveGroup } from '../../../sandbox/sendblue-simulator/groups.js';
import { LineBook } from '../../../sandbox/sendblue-simulator/line-book.js';
import { DEFAULT_NEW_CONTACT_LIMITS, NewContactLedger } from '../../../sandbox/sendblue-simulator/new-contacts.js';
import { OptOuts } from '../../../sandbox/sendblue-simulator/opt-outs.js';
import { listMessagesRoute, retrieveMessage } from '../../../sandbox/sendblue-simulator/reads.js';
import { sendReaction } from '../../../sandbox/sendblue-simulator/reactions.js';
import { sendGroupMessage } from '../../../sandbox/sendblue-simulator/send.js';
import { copyGroup, copyMessage, SimState } from '../../../sandbox/sendblue-simulator/state.js';
import type {
  FaultKind,
  FaultRoute,
  LineRateLimit,
  SimGroup,
  SimMessage,
  SimReaction,
} from '../../../sandbox/sendblue-simulator/types.js';

export interface InMemorySendblueOptions {
  /** The account's lines; `from_number` must be one of them. */
  lines: readonly [string, ...string[]];
  /** Epoch ms: message dates, the line limit. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The client's per-call timeout: how long a hung call waits before it fails. */
  timeoutMs: number;
  /** Sendblue's per-line send limit; false for none. @default { perSecond: 1, burst: 10 } (Sendblue's) */
  lineRateLimit?: LineRateLimit | false;
  /** Seconds in a 429's Retry-After. @default none */
  retryAfterSeconds?: number;
}

/** One API call, as the simulator's request log records it (without the HTTP details). */
export interface InMemoryCall {
  route: Exclude<FaultRoute, 'any'>;
  /** What was answered; 'cut' and 'hang' got no answer. */
  status: number | 'cut' | 'hang';
  /** For accept-then-cut/hang: what the call did before its answer was lost. */
  processedStatus?: number;
  fault?: FaultKind;
}

export interface InMemorySendblue {
  api: SendblueApi;
  /** Faults, listed or a seeded mix (`inject`, `setMix`, `clear`), as the simulator takes them. */
  faults: FaultQueue;
  readonly calls: InMemoryCall[];
  createGroup(members: string[], name?: string): SimGroup;
  group(id: string): SimGroup | undefined;
  /** Outbound messages Sendblue accepted, oldest first (copies). */
  sentMessages(): SimMessage[];
  /** A member's message in a group, as Sendblue would hold it (no faults, no webhook): its handle. */
  receiveMessage(groupId: string, from: string, content: string): string;
  /** The tapbacks Sendblue holds on a message (copies). */
  reactionsOn(handle: string): SimReaction[];
}

/** Sendblue's published per-line limit (the simulator's default). */
const SENDBLUE_LINE_LIMIT: LineRateLimit = { perSecond: 1, burst: 10 };
/** As the real client pages the message list (adapters/sendblue-client.ts). */
const LIST_PAGE = 100;
const LIST_MAX_PAGES = 500;

/** The errors the SDK throws when no answer comes, as classifySendblueError reads them. */
const connectionCut = () =>
  Object.assign(new Error('Connection error.'), {
    cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } }),
  });
const timedOut = () => new Error('Request timed out.');

export function createInMemorySendblue(options: InMemorySendblueOptions): InMemorySendblue {
  const state = new SimState(options.now);
  const faults = new FaultQueue();
  const calls: InMemoryCall[] = [];
  const limit = options.lineRateLimit ?? SENDBLUE_LINE_LIMIT;
  const ctx: ApiContext = {
    state,
    webhooks: { scheduleStatuses() {}, scheduleReply() {} },
    accountWebhooks: new AccountWebhookRegistry(),
    lines: new LineBook([...options.lines]),
    contacts: new NewContactLedger(DEFAULT_NEW_CONTACT_LIMITS, false, options.now),
    optOuts: new OptOuts(),
    accountEmail: 'sandbox@sendblue.local',
    omitGroupIdInSendResponse: false,
    replyEvery: 0,
    retryAfterSeconds: options.retryAfterSeconds,
    isSmsOnly: () => false,
    sendsByLine: new Map(),
    ...(limit ? { lineLimiter: new LineLimiter(limit, options.now) } : {}),
  };

  /** One API call: the fault it draws, then the route; a failure is thrown as the real client throws it. */
  async function call(route: InMemoryCall['route'], action: string, handle: () => ApiResult): Promise<ApiResult> {
    const entry: InMemoryCall = { route, status: 0 };
    calls.push(entry);
    const fault = faults.take(route);
    if (fault) entry.fault = fault;
    if (fault === '429' || fault === '500' || fault === '503' || fault === '400') {
      const answer = faultAnswer(fault, ctx.retryAfterSeconds);
      entry.status = answer.status;
      throw refusal(answer, action);
    }
    if (fault === 'cut') {
      entry.status = 'cut';
      throw classifySendblueError(connectionCut(), action);
    }
    if (fault === 'hang') {
      entry.status = 'hang';
      await options.sleep(options.timeoutMs);
      throw classifySendblueError(timedOut(), action);
    }
    const answer = run(handle);
    if (fault === 'accept-then-cut' || fault === 'accept-then-hang') {
      entry.status = fault === 'accept-then-cut' ? 'cut' : 'hang';
      entry.processedStatus = answer.status;
      if (fault === 'accept-then-hang') await options.sleep(options.timeoutMs);
      throw classifySendblueError(fault === 'accept-then-cut' ? connectionCut() : timedOut(), action);
    }
    entry.status = answer.status;
    if (answer.status >= 400) throw refusal(answer, action);
    return answer;
  }

  const notFound = (error: unknown) => error instanceof SendblueCallError && error.status === 404;
  // The body as the SDK sends it: JSON, so absent fields are gone.
  const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

  const api: SendblueApi = {
    async sendGroupMessage(params: GroupSendParams): Promise<SendblueMessage> {
      const answer = await call('send', 'send the group message', () => sendGroupMessage(ctx, asJson(params)));
      const message = asMessage(answer.body);
      if (!message?.message_handle) {
        throw new SendblueCallError('unclear', 'Sendblue answered the send without a message_handle');
      }
      return message;
    },

    async modifyGroup(params) {
      await call('modify', `${params.modify_type.replace('_', ' ')} in the group`, () =>
        modifyGroup(ctx, asJson(params)),
      );
    },

    async renameGroup(groupId, name, fromNumber) {
      const body = { group_name: name, ...(fromNumber ? { from_number: fromNumber } : {}) };
      await call('rename', 'rename the group', () => renameGroup(ctx, groupId, body));
    },

    async sendReaction(params) {
      await call('react', 'send the reaction', () => sendReaction(ctx, asJson(params)));
    },

    async getGroup(groupId) {
      try {
        const answer = await call('read', 'look up the group', () => retrieveGroup(ctx, groupId));
        const data = (answer.body as { data?: Record<string, unknown> })?.data ?? {};
        const numbers = Array.isArray(data.participant_numbers) ? data.participant_numbers : [];
        return {
          members: numbers.filter((n): n is string => typeof n === 'string'),
          name: typeof data.group_name === 'string' ? data.group_name : undefined,
        };
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },

    async getMessage(handle) {
      try {
        const answer = await call('read', 'look up the message', () => retrieveMessage(ctx, handle));
        return asMessage((answer.body as { data?: unknown })?.data ?? answer.body);
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },

    async *outboundSince({ since, group_id, from_number }: OutboundFilter) {
      for (let page = 0; ; page += 1) {
        if (page >= LIST_MAX_PAGES) {
          throw new SendblueCallError(
            'unclear',
            `could not finish the check: more than ${LIST_MAX_PAGES * LIST_PAGE} messages on the line since ${since}`,
          );
        }
        const query: Record<string, string> = {
          is_outbound: 'true',
          message_type: 'group',
          created_at_gte: since,
          order_by: 'createdAt',
          order_direction: 'asc',
          limit: String(LIST_PAGE),
          offset: String(page * LIST_PAGE),
          ...(group_id ? { group_id } : {}),
          ...(from_number ? { from_number } : {}),
        };
        const answer = await call('read', 'list messages', () => listMessagesRoute(ctx, query));
        const body = answer.body as { data?: unknown[]; pagination?: { hasMore?: boolean } };
        const rows = body.data ?? [];
        yield rows.map(asMessage).filter((message): message is SendblueMessage => message !== undefined);
        const more = body.pagination?.hasMore ?? rows.length >= LIST_PAGE;
        if (!more || !rows.length) return;
      }
    },
  };

  return {
    api,
    faults,
    calls,
    createGroup: (members, name) => copyGroup(state.createGroup(members, [options.lines[0]], name ?? null)),
    group: (id) => {
      const group = state.group(id);
      return group && copyGroup(group);
    },
    sentMessages: () =>
      state
        .allMessages()
        .filter((message) => message.is_outbound)
        .map(copyMessage),
    receiveMessage: (groupId, from, content) => {
      const group = state.group(groupId);
      if (!group) throw new Error(`no group ${groupId}`);
      return state.addMessage({
        group,
        isOutbound: false,
        status: 'RECEIVED',
        content,
        mediaUrl: '',
        sendStyle: '',
        fromNumber: from,
      }).message_handle;
    },
    reactionsOn: (handle) => (state.message(handle)?.reactions ?? []).map((reaction) => ({ ...reaction })),
  };
}

/** A route's error answer, thrown as the SDK's status error reaches the client: through classifySendblueError. */
function refusal(answer: ApiResult, action: string): SendblueCallError {
  return classifySendblueError({ status: answer.status, error: answer.body, headers: answer.headers ?? {} }, action);
}

/** Runs a route; a bug in it answers 500, as the simulator's server does. */
function run(handle: () => ApiResult): ApiResult {
  try {
    return handle();
  } catch {
    return errorResult({ status: 500, error: 'internal_error', message: 'Simulator error' });
  }
}
