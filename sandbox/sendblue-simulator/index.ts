/**
 * A local Sendblue: the group-messaging API of docs/sendblue-api.md over real HTTP on 127.0.0.1,
 * with status callbacks, member replies and injectable faults (docs/contract.md §6).
 *
 *   const sim = await startSendblueSimulator({ apiKeyId, apiSecretKey, lines: ['+15550000000'] });
 *   const client = new SendblueAPI({ apiKey, apiSecret, baseURL: sim.url, maxRetries: 0 });
 */
import { isE164, MAX_GROUP_MEMBERS } from '../../lambdas/contract/sendblue-rules.js';
import { silentLogger } from '../../lambdas/platform/logger.js';
import { AccountWebhookRegistry } from './account-webhooks.js';
import type { ApiContext } from './api.js';
import { CONTROL_PREFIX, type ControlActions } from './control.js';
import { FaultQueue, LineLimiter } from './faults.js';
import { Scheduler } from './scheduler.js';
import { redactSecrets } from './http-util.js';
import { createSimulatorServer } from './server.js';
import { copyGroup, copyMessage, SimState } from './state.js';
import type { CallbackDelivery, RunningSimulator, SimulatorOptions, SimulatorRequest } from './types.js';
import { Webhooks } from './webhooks.js';
import { WebhookDropper } from './webhook-faults.js';

export type * from './types.js';
export { CANNED_REPLIES } from './webhooks.js';

const SIMULATOR_DEFAULTS = {
  statusDelaysMs: { sent: 30, delivered: 80 },
  replyDelayMs: 150,
  callbackRetryDelaysMs: [50, 100, 200],
  callbackTimeoutMs: 5_000,
  accountEmail: 'sandbox@sendblue.local',
  /** Sendblue's published per-line limit (docs/sendblue-api.md). */
  lineRateLimit: { perSecond: 1, burst: 10 },
} as const;

export async function startSendblueSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  if (!options.lines.length || !options.lines.every(isE164)) {
    throw new TypeError('startSendblueSimulator: lines must be a non-empty list of E.164 numbers');
  }
  const logger = options.logger ?? silentLogger;
  const lines = [...options.lines];
  const accountEmail = options.accountEmail ?? SIMULATOR_DEFAULTS.accountEmail;
  const state = new SimState();
  const faults = new FaultQueue();
  const scheduler = new Scheduler();
  const requests: SimulatorRequest[] = [];
  const callbacks: CallbackDelivery[] = [];
  // The receive webhook the caller configured is registered like any other (as if set in the dashboard).
  const accountWebhooks = new AccountWebhookRegistry(
    options.receiveWebhookUrl
      ? [
          {
            type: 'receive',
            webhook: {
              url: options.receiveWebhookUrl,
              ...(options.webhookSecret !== undefined ? { secret: options.webhookSecret } : {}),
            },
          },
        ]
      : [],
  );
  const dropper = new WebhookDropper();
  const webhooks = new Webhooks(
    state,
    scheduler,
    callbacks,
    {
      accountEmail,
      statusDelaysMs: options.statusDelaysMs ?? SIMULATOR_DEFAULTS.statusDelaysMs,
      replyDelayMs: options.replyDelayMs ?? SIMULATOR_DEFAULTS.replyDelayMs,
      retryDelaysMs: options.callbackRetryDelaysMs ?? [...SIMULATOR_DEFAULTS.callbackRetryDelaysMs],
      timeoutMs: options.callbackTimeoutMs ?? SIMULATOR_DEFAULTS.callbackTimeoutMs,
    },
    logger,
    accountWebhooks,
    dropper,
  );
  const ctx: ApiContext = {
    state,
    webhooks,
    accountWebhooks,
    lines,
    accountEmail,
    omitGroupIdInSendResponse: options.omitGroupIdInSendResponse ?? false,
    replyEvery: options.replyEvery ?? 0,
    retryAfterSeconds: options.retryAfterSeconds,
  };
  const lineRateLimit = options.lineRateLimit ?? SIMULATOR_DEFAULTS.lineRateLimit;
  if (lineRateLimit) ctx.lineLimiter = new LineLimiter(lineRateLimit);

  let dropHungRequests = () => {};
  const reset = () => {
    scheduler.cancelAll();
    dropHungRequests();
    state.clear();
    faults.clear();
    dropper.clear();
    ctx.lineLimiter?.clear();
    requests.length = 0;
    callbacks.length = 0;
    accountWebhooks.restore();
  };
  const memberReply = (groupId: string, content?: string, mediaUrl?: string) =>
    webhooks.memberReply(groupId, content, mediaUrl);
  const control: ControlActions = {
    injectFault: (fault) => faults.inject(fault),
    setFaultMix: (mix) => faults.setMix(mix),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    dropWebhooks: (fault) => dropper.set(fault),
    clearWebhookFaults: () => dropper.clear(),
    webhookFaults: () => dropper.state(),
    requests: () => requests,
    callbacks: () => callbacks,
    messages: () => state.allMessages(),
    hasGroup: (groupId) => state.group(groupId) !== undefined,
    memberReply,
    accountWebhooks: () => redactSecrets(accountWebhooks.snapshot()),
    reset,
  };

  const sim = createSimulatorServer({
    ctx,
    faults,
    requests,
    apiKeyId: options.apiKeyId,
    apiSecretKey: options.apiSecretKey,
    control,
    logger,
  });
  dropHungRequests = sim.dropHungRequests;
  const { server } = sim;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  logger.info('sendblue simulator listening', { url, lines: lines.length });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      scheduler.cancelAll();
      dropHungRequests();
      server.close(() => resolve());
      server.closeAllConnections();
    })
      .then(() => scheduler.idle())
      .then(() => logger.info('sendblue simulator stopped', { url })));

  return {
    url,
    port,
    requests,
    callbacks,
    injectFault: (fault) => faults.inject(fault),
    setFaultMix: (mix) => faults.setMix(mix),
    clearFaults: () => faults.clear(),
    dropWebhooks: (fault) => dropper.set(fault),
    clearWebhookFaults: () => dropper.clear(),
    reset,
    accountWebhooks: () => accountWebhooks.snapshot(),
    sentMessages: () =>
      state
        .allMessages()
        .filter((message) => message.is_outbound)
        .map(copyMessage),
    messages: () => state.allMessages().map(copyMessage),
    group: (id) => {
      const group = state.group(id);
      return group && copyGroup(group);
    },
    createGroup: (members, name) => {
      const distinct = [...new Set(members)];
      if (!distinct.length || !distinct.every(isE164) || distinct.length > MAX_GROUP_MEMBERS) {
        throw new TypeError(`createGroup: members must be 1 to ${MAX_GROUP_MEMBERS} E.164 numbers`);
      }
      return copyGroup(state.createGroup(distinct, lines[0] as string, name ?? null));
    },
    memberReply,
    mediaUrlFor: (name) => `${url}${CONTROL_PREFIX}media/${encodeURIComponent(name)}`,
    idle: () => scheduler.idle(),
    stop,
  };
}
