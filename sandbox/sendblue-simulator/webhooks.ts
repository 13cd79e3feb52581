/**
 * What the simulator posts, like Sendblue: per-message status callbacks (SENT, then DELIVERED; no
 * signing header), the same status changes to every registered `outbound` webhook, and member
 * replies to every registered `receive` webhook (each of these with `sb-signing-secret`: that
 * webhook's secret, else the account's global one). Each POST is retried on a non-2xx answer or
 * a connection error, like Sendblue.
 */
import type { Logger } from '../../lambdas/platform/logger.js';
import { SIGNING_HEADER } from '../../lambdas/webhooks/webhook-auth.js';
import type { AccountWebhookRegistry, WebhookTarget } from './account-webhooks.js';
import { redactUrlTokens } from './http-util.js';
import { messagePayload } from './records.js';
import type { Scheduler, TaskContext } from './scheduler.js';
import { copyMessage, type SimState } from './state.js';
import type { CallbackDelivery, SimMessage } from './types.js';
import type { WebhookDropper } from './webhook-faults.js';

export const CANNED_REPLIES = ['Sounds good!', 'On my way', 'Thanks, got it', 'Can we make it 3pm?', 'Count me in'];

export interface WebhookSettings {
  accountEmail: string;
  statusDelaysMs: { sent: number; delivered: number };
  replyDelayMs: number;
  retryDelaysMs: number[];
  timeoutMs: number;
}

/** A URL fit for a log line: its query (which may carry a callback token) is dropped. */
const forLog = (url: string): string => url.split('?')[0] ?? '';

export class Webhooks {
  constructor(
    private readonly state: SimState,
    private readonly scheduler: Scheduler,
    private readonly callbacks: CallbackDelivery[],
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
    private readonly registry: AccountWebhookRegistry,
    private readonly dropper: WebhookDropper,
  ) {}

  private readonly onError = (error: unknown) => this.logger.error('simulator background task failed', { error });

  /**
   * After a send was accepted: SENT, then DELIVERED, each posted to the message's status_callback
   * if any and to every registered outbound webhook (side by side: a slow one delays no other).
   */
  scheduleStatuses(message: SimMessage): void {
    const acceptedAt = Date.now();
    const { sent, delivered } = this.settings.statusDelaysMs;
    void this.scheduler.run(async (context) => {
      for (const [status, delay] of [
        ['SENT', sent],
        ['DELIVERED', delivered],
      ] as const) {
        if (!(await this.scheduler.sleep(acceptedAt + delay - Date.now(), context))) return;
        const updated = this.state.setStatus(message.message_handle, status);
        if (!updated) return;
        const payload = messagePayload(updated, this.settings.accountEmail);
        await Promise.all([
          ...(updated.status_callback ? [this.deliver('status', updated.status_callback, payload, {}, context)] : []),
          ...this.registry
            .targets('outbound')
            .map((target) => this.deliver('outbound', target.url, payload, signed(target), context)),
        ]);
      }
    }, this.onError);
  }

  /** A member of the group writes after replyDelayMs (the replyEvery rule). */
  scheduleReply(groupId: string): void {
    void this.scheduler.run(async (context) => {
      if (!(await this.scheduler.sleep(this.settings.replyDelayMs, context))) return;
      await this.reply(groupId, undefined, context);
    }, this.onError);
  }

  /** A member writes now; resolves with the stored message once the webhook was delivered or gave up. */
  memberReply(groupId: string, content?: string, mediaUrl?: string): Promise<SimMessage> {
    const group = this.state.group(groupId);
    if (!group) return Promise.reject(new Error(`No simulated group ${groupId}`));
    if (!group.members.length) return Promise.reject(new Error(`Group ${groupId} has no member to reply`));
    return this.scheduler
      .run((context) => this.reply(groupId, content, context, mediaUrl), this.onError)
      .then((message) => {
        if (!message) throw new Error('the simulator was reset or stopped before the reply was stored');
        return message;
      });
  }

  private async reply(
    groupId: string,
    content: string | undefined,
    context: TaskContext,
    mediaUrl = '',
  ): Promise<SimMessage | undefined> {
    const group = this.state.group(groupId);
    const turn = group && this.state.nextReplier(group);
    if (!group || !turn) return undefined;
    const message = this.state.addMessage({
      group,
      isOutbound: false,
      status: 'RECEIVED',
      content: content ?? (mediaUrl ? '' : (CANNED_REPLIES[turn.turn % CANNED_REPLIES.length] ?? 'OK')),
      mediaUrl,
      sendStyle: '',
      fromNumber: turn.member,
    });
    const stored = copyMessage(message);
    const targets = this.registry.targets('receive', group.line);
    if (!targets.length) {
      this.logger.debug('member reply stored; no receive webhook registered', { group_id: groupId });
      return stored;
    }
    const payload = messagePayload(message, this.settings.accountEmail);
    await Promise.all(targets.map((target) => this.deliver('reply', target.url, payload, signed(target), context)));
    return stored;
  }

  /** POSTs one webhook, retrying like Sendblue; every attempt is visible in `callbacks`. */
  private async deliver(
    kind: CallbackDelivery['kind'],
    url: string,
    payload: Record<string, unknown>,
    headers: Record<string, string>,
    context: TaskContext,
  ): Promise<void> {
    // Recorded without the URL's token (shown by /__simulator/callbacks); delivered with it.
    const delivery: CallbackDelivery = {
      kind,
      url: redactUrlTokens(url),
      payload,
      attempts: 0,
      lastStatus: null,
      delivered: false,
    };
    this.callbacks.push(delivery);
    if (this.dropper.shouldDrop()) {
      delivery.dropped = true;
      return this.logger.debug('webhook dropped (simulated loss)', { kind, url: forLog(url), event: payload.status });
    }
    const body = JSON.stringify(payload);
    const delays = [0, ...this.settings.retryDelaysMs];
    for (const [attempt, delay] of delays.entries()) {
      if (attempt > 0 && !(await this.scheduler.sleep(delay, context))) return;
      if (!this.scheduler.alive(context)) return;
      delivery.attempts += 1;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'sendblue-simulator', ...headers },
          body,
          signal: AbortSignal.any([context.signal, AbortSignal.timeout(this.settings.timeoutMs)]),
        });
        await response.arrayBuffer().catch(() => undefined); // free the connection
        delivery.lastStatus = response.status;
        delivery.delivered = response.ok;
      } catch {
        delivery.lastStatus = 'error';
      }
      const fields = {
        kind,
        url: forLog(url),
        attempt: delivery.attempts,
        status: delivery.lastStatus,
        event: payload.status,
      };
      if (delivery.delivered) return this.logger.debug('webhook delivered', fields);
      this.logger.warn('webhook attempt failed', fields);
    }
  }
}

/** The header Sendblue adds for a webhook that has a secret. */
const signed = (target: WebhookTarget): Record<string, string> =>
  target.secret !== undefined ? { [SIGNING_HEADER]: target.secret } : {};
