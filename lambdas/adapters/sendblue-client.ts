import type SendblueAPI from 'sendblue';
import { createCallPacer } from './call-pacer.js';
import type { LineMessages } from '../backfill/ports.js';
import type { SendblueApi, SendblueMessage } from '../sending/ports.js';
import { classifySendblueError, SendblueCallError } from '../sending/sendblue-errors.js';
import type { ApiCredentials } from './secrets.js';
import { sdkFor } from './sendblue-sdk.js';
import { lineStatesFrom, lineUsageFrom } from './sendblue-lines.js';

/**
 * The one Sendblue client: a thin layer over the official SDK that never retries by itself
 * (`maxRetries: 0`; a POST retried by the SDK could send twice) and turns every failure into a
 * SendblueCallError whose kind tells the sender what to do. Answers are read defensively: every
 * field is optional (docs/sendblue-api.md). It serves the sender's port and the backfill's.
 */
export type SendblueClient = SendblueApi & LineMessages;

export interface SendblueClientOptions {
  credentials: () => Promise<ApiCredentials>;
  /** @default SENDBLUE_DEFAULT_BASE_URL ('https://api.sendblue.co') */
  baseUrl?: string;
  /** Per-call timeout, ms. */
  timeoutMs: number;
  /**
   * Message-list calls per second at most (Sendblue allows about 100 per 10 s per account).
   * @default unpaced (the sender's few checks)
   */
  listCallsPerSecond?: number;
}

const LIST_PAGE = 100;
/** 50,000 messages on one line since an unclear attempt: past that the check is called incomplete, never "not found". */
const LIST_MAX_PAGES = 500;

export function createSendblueClient(options: SendblueClientOptions): SendblueClient {
  let cached: { key: string; sdk: SendblueAPI } | undefined;
  const paceList = createCallPacer(options.listCallsPerSecond ?? 0);

  // One SDK instance per credential pair: a rotated secret (re-read every few minutes) gets a new one.
  async function sdk(): Promise<SendblueAPI> {
    const { apiKeyId, apiSecretKey } = await options.credentials();
    const key = `${apiKeyId}\u0000${apiSecretKey}`;
    if (cached?.key !== key) {
      cached = { key, sdk: sdkFor({ apiKeyId, apiSecretKey }, options) };
    }
    return cached.sdk;
  }

  async function call<T>(action: string, run: (client: SendblueAPI) => Promise<T>): Promise<T> {
    let client: SendblueAPI;
    try {
      client = await sdk();
    } catch (error) {
      // No credentials, so no request left: retried like an unreachable Sendblue. The message
      // names the secret and why, never its value.
      throw new SendblueCallError(
        'retryable',
        `could not ${action}: ${error instanceof Error ? error.message : 'no API credentials'}`,
      );
    }
    try {
      return await run(client);
    } catch (error) {
      throw classifySendblueError(error, action);
    }
  }

  const notFound = (error: unknown) => error instanceof SendblueCallError && error.status === 404;

  return {
    async sendGroupMessage(params) {
      const answer = await call('send the group message', (client) =>
        // content/send_style/status_callback pass through the SDK as given (its types lag the API).
        client.groups.sendMessage(params as unknown as Parameters<SendblueAPI['groups']['sendMessage']>[0]),
      );
      const message = asMessage(answer);
      if (!message?.message_handle) {
        // Accepted (2xx) but unusable: treat like a lost answer, so the message list settles it.
        // Sendblue did answer, so this is no sign of an outage.
        throw new SendblueCallError(
          'unclear',
          'Sendblue answered the send without a message_handle',
          undefined,
          undefined,
          false,
        );
      }
      return message;
    },

    async modifyGroup(params) {
      await call(`${params.modify_type.replace('_', ' ')} in the group`, (client) => client.groups.modify(params));
    },

    async renameGroup(groupId, name, fromNumber) {
      await call('rename the group', (client) =>
        client.v2.groups.rename(groupId, { group_name: name, ...(fromNumber ? { from_number: fromNumber } : {}) }),
      );
    },

    async sendReaction(params) {
      // The SDK (3.17) has no reactions resource: its generic POST keeps its timeout, no retries
      // and its errors (a 4xx/5xx is an APIError with the status), so the kinds stay the same.
      await call('send the reaction', (client) => client.post('/api/send-reaction', { body: params }));
    },

    async getGroup(groupId) {
      try {
        const answer = await call('look up the group', (client) => client.v2.groups.retrieve(groupId));
        const data = (answer as { data?: Record<string, unknown> })?.data ?? {};
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
        const answer = await call('look up the message', (client) => client.messages.retrieve(handle));
        return asMessage((answer as { data?: unknown })?.data ?? answer);
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },

    async *outboundSince({ since, group_id, from_number }) {
      for (let page = 0; ; page += 1) {
        if (page >= LIST_MAX_PAGES) {
          // Our own limit, not an outage: Sendblue answered every page.
          throw new SendblueCallError(
            'unclear',
            `could not finish the check: more than ${LIST_MAX_PAGES * LIST_PAGE} messages on the line since ${since}`,
            undefined,
            undefined,
            false,
          );
        }
        await paceList();
        const answer = await call('list messages', (client) =>
          client.messages.list({
            is_outbound: 'true',
            message_type: 'group',
            created_at_gte: since,
            order_by: 'createdAt',
            order_direction: 'asc',
            limit: LIST_PAGE,
            offset: page * LIST_PAGE,
            ...(group_id ? { group_id } : {}),
            ...(from_number ? { from_number } : {}),
          }),
        );
        const rows = answer.data ?? [];
        yield rows.map(asMessage).filter((message): message is SendblueMessage => message !== undefined);
        // hasMore when given; else a full page means there may be more.
        const more = answer.pagination?.hasMore ?? rows.length >= LIST_PAGE;
        if (!more || !rows.length) return;
      }
    },

    async getLineStates() {
      // A list call like the message list: within the account's ~100 requests / 10 s.
      await paceList();
      return lineStatesFrom(await call('read the lines’ state', (client) => client.get('/api/v2/lines/state')));
    },

    async getLineUsage() {
      await paceList();
      return lineUsageFrom(await call('read the lines’ usage', (client) => client.get('/api/v2/lines/usage')));
    },

    async listLineMessages({ line, updatedSince, offset, limit = LIST_PAGE }) {
      await paceList();
      const answer = await call('list messages', (client) =>
        client.messages.list({
          sendblue_number: line,
          message_type: 'group',
          updated_at_gte: updatedSince,
          order_by: 'updatedAt',
          order_direction: 'asc',
          limit,
          offset,
        }),
      );
      const rows: unknown[] = Array.isArray(answer.data) ? answer.data : [];
      const records = rows.filter(
        (row): row is Record<string, unknown> => typeof row === 'object' && row !== null && !Array.isArray(row),
      );
      return { records, hasMore: answer.pagination?.hasMore ?? rows.length >= limit };
    },
  };
}

/**
 * Keeps only well-typed fields of an answer (Sendblue's shapes vary between API versions). Exported
 * for the tests' in-memory Sendblue, which reads the simulator's answers the same way.
 */
export function asMessage(value: unknown): SendblueMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' && record[key] ? (record[key] as string) : undefined);
  const numbers = (value: unknown) =>
    Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string' && p !== '') : undefined;
  const participants = numbers(record.participants);
  return {
    message_handle: text('message_handle'),
    group_id: text('group_id'),
    is_outbound: typeof record.is_outbound === 'boolean' ? record.is_outbound : undefined,
    status: text('status'),
    content: text('content'),
    media_url: text('media_url'),
    from_number: text('from_number'),
    date_sent: text('date_sent'),
    date_created: text('date_created'),
    date_updated: text('date_updated'),
    participants,
    recipients: participants?.length ? participants : (numbers(record.number) ?? numbers(record.to_number)),
    send_style: text('send_style'),
    error_code: record.error_code ?? undefined,
    error_message: text('error_message'),
  };
}
