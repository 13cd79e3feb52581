/**
 * A local Sendblue: the group-messaging API of docs/sendblue-api.md over real HTTP on 127.0.0.1,
 * with status callbacks, member replies and reactions, opt-outs, line states and quotas, and
 * injectable faults and outages (docs/contract.md §6; every route and control in README.md here).
 *
 *   const sim = await startSendblueSimulator({ apiKeyId, apiSecretKey, lines: ['+15550000000'] });
 *   const client = new SendblueAPI({ apiKey, apiSecret, baseURL: sim.url, maxRetries: 0 });
 */
import { isE164, MAX_GROUP_MEMBERS } from '../../lambdas/contract/sendblue-rules.js';
import { silentLogger } from '../../lambdas/platform/logger.js';
import { AccountWebhookRegistry } from './account-webhooks.js';
import type { ApiContext } from './context.js';
import { CONTROL_PREFIX, type ControlActions } from './control.js';
import { FaultQueue, LineLimiter } from './faults.js';
import { redactSecrets } from './http-util.js';
import { LineBook } from './line-book.js';
import { lineStates, lineUsage } from './lines-api.js';
import { Listener } from './listener.js';
import { DEFAULT_NEW_CONTACT_LIMITS, type NewContactLimits, NewContactLedger } from './new-contacts.js';
import { OptOuts } from './opt-outs.js';
import { checkOutage, Outages } from './outages.js';
import { Scheduler } from './scheduler.js';
import { createSimulatorServer } from './server.js';
import { copyGroup, copyMessage, SimState } from './state.js';
import type {
  CallbackDelivery,
  MemberMessage,
  Outage,
  RunningSimulator,
  SimulatorOptions,
  SimulatorRequest,
} from './types.js';
import { WebhookDropper } from './webhook-faults.js';
import { Webhooks } from './webhooks.js';

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
  /** evaluate-service: a number ending in 9 is SMS-only (simple to remember, rare among test numbers). */
  isSmsOnly: (number: string) => number.endsWith('9'),
} as const;

export async function startSendblueSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  if (!options.lines.length || !options.lines.every(isE164)) {
    throw new TypeError('startSendblueSimulator: lines must be a non-empty list of E.164 numbers');
  }
  const logger = options.logger ?? silentLogger;
  const lines = new LineBook([...new Set(options.lines)]);
  const accountEmail = options.accountEmail ?? SIMULATOR_DEFAULTS.accountEmail;
  const state = new SimState();
  const faults = new FaultQueue();
  const outages = new Outages();
  const optOuts = new OptOuts();
  const contacts = newContactLedger(options.newContactQuota);
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
  const webhooks = new Webhooks({
    state,
    scheduler,
    callbacks,
    settings: {
      accountEmail,
      statusDelaysMs: options.statusDelaysMs ?? SIMULATOR_DEFAULTS.statusDelaysMs,
      replyDelayMs: options.replyDelayMs ?? SIMULATOR_DEFAULTS.replyDelayMs,
      retryDelaysMs: options.callbackRetryDelaysMs ?? [...SIMULATOR_DEFAULTS.callbackRetryDelaysMs],
      timeoutMs: options.callbackTimeoutMs ?? SIMULATOR_DEFAULTS.callbackTimeoutMs,
    },
    logger,
    registry: accountWebhooks,
    dropper,
    optOuts,
    contacts,
  });
  const ctx: ApiContext = {
    state,
    webhooks,
    accountWebhooks,
    lines,
    contacts,
    optOuts,
    accountEmail,
    omitGroupIdInSendResponse: options.omitGroupIdInSendResponse ?? false,
    replyEvery: options.replyEvery ?? 0,
    retryAfterSeconds: options.retryAfterSeconds,
    isSmsOnly: smsTest(options.smsNumbers),
    sendsByLine: new Map(),
  };
  const lineRateLimit = options.lineRateLimit ?? SIMULATOR_DEFAULTS.lineRateLimit;
  if (lineRateLimit) ctx.lineLimiter = new LineLimiter(lineRateLimit);

  const checkLine = (line: string) => {
    if (!lines.has(line)) throw new TypeError(`${line} is not a line of this account`);
  };
  let listener: Listener | undefined;
  let dropHungRequests = () => {};
  const endOutages = async () => {
    outages.clear();
    await listener?.reopen();
  };
  const startOutage = async (outage: Outage) => {
    const checked = checkOutage(outage, lines.numbers);
    if (!checked.ok) throw new TypeError(`Invalid simulator outage: ${checked.error}`);
    const { kind, ms, line } = checked.outage;
    if (kind === '503') return outages.unavailableFor(ms, line);
    outages.refusing(Date.now() + ms);
    await listener?.refuseFor(ms, () => outages.refusing(null));
  };
  const reset = () => {
    scheduler.cancelAll();
    dropHungRequests();
    state.clear();
    faults.clear();
    dropper.clear();
    ctx.lineLimiter?.clear();
    ctx.sendsByLine.clear();
    lines.clear();
    contacts.clear();
    optOuts.clear();
    void endOutages();
    requests.length = 0;
    callbacks.length = 0;
    accountWebhooks.restore();
  };
  const memberReply = (groupId: string, message?: string | MemberMessage, mediaUrl?: string) =>
    webhooks.memberReply(
      groupId,
      typeof message === 'object' && message !== null
        ? message
        : {
            ...(message !== undefined ? { content: message } : {}),
            ...(mediaUrl !== undefined ? { mediaUrl } : {}),
          },
    );
  const lineReports = () => ({ state: lineStates(ctx).body, usage: lineUsage(ctx).body });
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
    hasMessage: (handle) => state.message(handle) !== undefined,
    memberReply: (groupId, message) => webhooks.memberReply(groupId, message),
    memberReacts: (handle, reaction, options) => webhooks.memberReacts(handle, reaction, options),
    optOut: (number, optedOut) => optOuts.set(number, optedOut),
    optedOut: () => optOuts.list(),
    lineNumbers: () => lines.numbers,
    setLineState: (line, status) => lines.set(line, status),
    lines: lineReports,
    clearNewContactUsage: (line) => contacts.forget(line),
    startOutage,
    outages: () => outages.state(),
    endOutages,
    accountWebhooks: () => redactSecrets(accountWebhooks.snapshot()),
    reset,
  };

  const sim = createSimulatorServer({
    ctx,
    faults,
    outages,
    requests,
    apiKeyId: options.apiKeyId,
    apiSecretKey: options.apiSecretKey,
    control,
    logger,
  });
  dropHungRequests = sim.dropHungRequests;
  listener = new Listener(sim.server, logger);
  const port = await listener.listen(options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  logger.info('sendblue simulator listening', { url, lines: lines.numbers.length });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      scheduler.cancelAll();
      dropHungRequests();
      await listener.stop();
      await scheduler.idle();
      logger.info('sendblue simulator stopped', { url });
    })());

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
    createGroup: (members, name, groupOptions = {}) => {
      const distinct = [...new Set(members)];
      if (!distinct.length || !distinct.every(isE164) || distinct.length > MAX_GROUP_MEMBERS) {
        throw new TypeError(`createGroup: members must be 1 to ${MAX_GROUP_MEMBERS} E.164 numbers`);
      }
      if (distinct.some((member) => lines.has(member))) {
        throw new TypeError('createGroup: members are people; put the account lines in options.lines');
      }
      const groupLines = groupOptions.lines ?? [lines.numbers[0] as string];
      const [first, ...rest] = groupLines;
      if (first === undefined || !groupLines.every((line) => lines.has(line))) {
        throw new TypeError('createGroup: options.lines must be one or more of the account lines');
      }
      return copyGroup(state.createGroup(distinct, [first, ...rest], name ?? null));
    },
    memberReply,
    memberReacts: (handle, reaction, reactionOptions) => webhooks.memberReacts(handle, reaction, reactionOptions),
    optOut: (number, optedOut = true) => {
      if (!isE164(number)) throw new TypeError('optOut: number must be E.164');
      optOuts.set(number, optedOut);
    },
    optedOut: () => optOuts.list(),
    setLineState: (line, status) => lines.set(line, status),
    lineState: (line) => {
      checkLine(line);
      return lines.status(line);
    },
    clearNewContactUsage: (line) => {
      if (line !== undefined) checkLine(line);
      contacts.forget(line);
    },
    startOutage,
    refuseConnectionsFor: (ms) => startOutage({ kind: 'refuse', ms }),
    unavailableFor: (ms, outageOptions = {}) =>
      startOutage({ kind: '503', ms, ...(outageOptions.line ? { line: outageOptions.line } : {}) }),
    endOutages,
    listening: () => listener.whenListening(),
    mediaUrlFor: (name) => `${url}${CONTROL_PREFIX}media/${encodeURIComponent(name)}`,
    idle: () => scheduler.idle(),
    stop,
  };
}

function newContactLedger(quota: SimulatorOptions['newContactQuota']): NewContactLedger {
  const custom = Object.entries(typeof quota === 'object' ? quota : {}).filter(([, value]) => value !== undefined);
  const limits: NewContactLimits = { ...DEFAULT_NEW_CONTACT_LIMITS, ...Object.fromEntries(custom) };
  for (const [name, value] of Object.entries(limits)) {
    if (!(Number.isInteger(value) && value >= 1)) {
      throw new TypeError(`startSendblueSimulator: newContactQuota.${name} must be a positive integer`);
    }
  }
  return new NewContactLedger(limits, quota !== undefined && quota !== false);
}

function smsTest(smsNumbers: SimulatorOptions['smsNumbers']): (number: string) => boolean {
  if (typeof smsNumbers === 'function') return smsNumbers;
  if (smsNumbers) {
    const listed = new Set(smsNumbers);
    return (number) => listed.has(number);
  }
  return SIMULATOR_DEFAULTS.isSmsOnly;
}
