/**
 * What the simulator posts, like Sendblue: per-message status callbacks (SENT, then DELIVERED; no
 * signing header), the same status changes to every registered `outbound` webhook, and member
 * replies to every registered `receive` webhook (each of these with `sb-signing-secret`: that
 * webhook's secret, else the account's global one). Each POST is retried on a non-2xx answer or
 * a connection error, like Sendblue.
 */
import type { Reaction } from '../../lambdas/contract/sendblue-rules.js';
import type { Logger } from '../../lambdas/platform/logger.js';
import { SIGNING_HEADER } from '../../lambdas/webhooks/webhook-auth.js';
import type { AccountWebhookRegistry, WebhookTarget } from './account-webhooks.js';
import { redactUrlTokens } from './http-util.js';
import type { NewContactLedger } from './new-contacts.js';
import type { OptOuts } from './opt-outs.js';
import { tapbackText } from './tapback.js';
import { declinedPayload, messagePayload } from './records.js';
import type { Scheduler, TaskContext } from './scheduler.js';
import { copyMessage, type SimState } from './state.js';
import type { CallbackDelivery, MemberMessage, MemberReaction, SimGroup, SimMessage } from './types.js';
import type { WebhookDropper } from './webhook-faults.js';

export const CANNED_REPLIES = ['Sounds good!', 'On my way', 'Thanks, got it', 'Can we make it 3pm?', 'Count me in'];

export interface WebhookSettings {
  accountEmail: string;
  statusDelaysMs: { sent: number; delivered: number };
  replyDelayMs: number;
  retryDelaysMs: number[];
  timeoutMs: number;
}

export interface WebhookDeps {
  state: SimState;
  scheduler: Scheduler;
  callbacks: CallbackDelivery[];
  settings: WebhookSettings;
  logger: Logger;
  registry: AccountWebhookRegistry;
  dropper: WebhookDropper;
  /** A member's STOP/START changes it; their messages carry `opted_out`. */
  optOuts: OptOuts;
  /** A member who writes to a line first is not a new contact of it. */
  contacts: NewContactLedger;
}

/** What a member writes: text or media, or a tapback on a message. */
interface Writing {
  content?: string;
  mediaUrl?: string;
  from?: string;
  reaction?: { reaction: Reaction; target: SimMessage; partIndex: number };
}

/** A URL fit for a log line: its query (which may carry a callback token) is dropped. */
const forLog = (url: string): string => url.split('?')[0] ?? '';

export class Webhooks {
  private readonly state: SimState;
  private readonly scheduler: Scheduler;
  private readonly callbacks: CallbackDelivery[];
  private readonly settings: WebhookSettings;
  private readonly logger: Logger;
  private readonly registry: AccountWebhookRegistry;
  private readonly dropper: WebhookDropper;
  private readonly optOuts: OptOuts;
  private readonly contacts: NewContactLedger;

  constructor(deps: WebhookDeps) {
    ({
      state: this.state,
      scheduler: this.scheduler,
      callbacks: this.callbacks,
      settings: this.settings,
      logger: this.logger,
      registry: this.registry,
      dropper: this.dropper,
      optOuts: this.optOuts,
      contacts: this.contacts,
    } = deps);
  }

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
        // Members who opted out hear nothing; the sender learns it first, one DECLINED per member.
        const declined = status === 'SENT' ? (updated.declined ?? []) : [];
        for (const member of declined) {
          await this.postStatus(updated, declinedPayload(updated, member, this.settings.accountEmail), context);
        }
        await this.postStatus(updated, messagePayload(updated, this.settings.accountEmail), context);
      }
    }, this.onError);
  }

  /** One status event to the message's status_callback, if any, and every registered outbound webhook, side by side. */
  private async postStatus(message: SimMessage, payload: Record<string, unknown>, context: TaskContext): Promise<void> {
    await Promise.all([
      ...(message.status_callback ? [this.deliver('status', message.status_callback, payload, {}, context)] : []),
      ...this.registry
        .targets('outbound')
        .map((target) => this.deliver('outbound', target.url, payload, signed(target), context)),
    ]);
  }

  /** A member of the group writes after replyDelayMs (the replyEvery rule). */
  scheduleReply(groupId: string): void {
    void this.scheduler.run(async (context) => {
      if (!(await this.scheduler.sleep(this.settings.replyDelayMs, context))) return;
      const group = this.state.group(groupId);
      if (group) await this.write(group, {}, context);
    }, this.onError);
  }

  /** A member writes now; resolves with the stored message once the webhook was delivered or gave up. */
  memberReply(groupId: string, message: MemberMessage = {}): Promise<SimMessage> {
    const group = this.state.group(groupId);
    if (!group) return Promise.reject(new Error(`No simulated group ${groupId}`));
    if (!group.members.length) return Promise.reject(new Error(`Group ${groupId} has no member to reply`));
    if (message.from !== undefined && !group.members.includes(message.from))
      return Promise.reject(new Error(`from must be a member of group ${groupId}`));
    return this.written(this.scheduler.run((context) => this.write(group, message, context), this.onError));
  }

  /** A member taps back on a message of their group; resolves like memberReply. */
  memberReacts(handle: string, reaction: Reaction, options: MemberReaction = {}): Promise<SimMessage> {
    const target = this.state.message(handle);
    const group = target && this.state.group(target.group_id);
    if (!target || !group) return Promise.reject(new Error(`No simulated message ${handle}`));
    if (options.from !== undefined && !group.members.includes(options.from))
      return Promise.reject(new Error(`from must be a member of group ${group.group_id}`));
    if (!group.members.some((member) => member !== target.from_number))
      return Promise.reject(new Error(`Group ${group.group_id} has no other member to react`));
    const writing: Writing = {
      ...(options.from !== undefined ? { from: options.from } : {}),
      reaction: { reaction, target, partIndex: options.partIndex ?? 0 },
    };
    return this.written(this.scheduler.run((context) => this.write(group, writing, context), this.onError));
  }

  private written(task: Promise<SimMessage | undefined>): Promise<SimMessage> {
    return task.then((message) => {
      if (!message) throw new Error('the simulator was reset or stopped before the message was stored');
      return message;
    });
  }

  /** Stores what a member wrote and posts it to every receive webhook of the group's line. */
  private async write(group: SimGroup, writing: Writing, context: TaskContext): Promise<SimMessage | undefined> {
    const { reaction } = writing;
    const turn = this.state.nextReplier(group, {
      ...(writing.from !== undefined ? { chosen: writing.from } : {}),
      ...(reaction ? { not: reaction.target.from_number } : {}),
    });
    if (!turn) return undefined;
    const mediaUrl = writing.mediaUrl ?? '';
    const content = reaction
      ? tapbackText(reaction.reaction, reaction.target)
      : (writing.content ?? (mediaUrl ? '' : (CANNED_REPLIES[turn.turn % CANNED_REPLIES.length] ?? 'OK')));
    this.contacts.wroteFirst(group.line, turn.member);
    const message = this.state.addMessage({
      group,
      isOutbound: false,
      status: 'RECEIVED',
      content,
      mediaUrl,
      sendStyle: '',
      fromNumber: turn.member,
      // A tapback is not a keyword, whatever its text: only what a member types opts them out.
      optedOut: reaction ? this.optOuts.has(turn.member) : this.optOuts.read(turn.member, content),
      ...(reaction
        ? {
            reaction: {
              reaction: reaction.reaction,
              to: { message_handle: reaction.target.message_handle, part_index: reaction.partIndex },
            },
          }
        : {}),
    });
    if (reaction) {
      this.state.addReaction(reaction.target.message_handle, {
        reaction: reaction.reaction,
        from_number: turn.member,
        part_index: reaction.partIndex,
        date: message.date_created,
      });
    }
    const stored = copyMessage(message);
    const targets = this.registry.targets('receive', group.line);
    if (!targets.length) {
      this.logger.debug('member message stored; no receive webhook registered', { group_id: group.group_id });
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
