import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULTS } from './defaults.js';
import { isE164 } from '../lambdas/contract/sendblue-rules.js';
import { isOptedOutMembersPolicy, type OptedOutMembersPolicy } from '../lambdas/sending/preflight.js';

/** The deployment settings, read from CDK context (`cdk.json` or `-c key=value`). */
export interface AppConfig {
  /** CloudFormation stack name (and the stack's construct id). */
  readonly stackName: string;
  /** The default Sendblue line, E.164. The shipped default is a placeholder that must be replaced. */
  readonly fromNumber: string;
  /** Sendblue API base URL: https (http only for localhost). No trailing slash. */
  readonly sendblueBaseUrl: string;
  /** Largest accepted webhook body in bytes. */
  readonly maxBodyBytes: number;
  /** API stage steady-state rate limit (requests per second). */
  readonly throttleRateLimit: number;
  /** API stage burst limit (requests). */
  readonly throttleBurstLimit: number;
  /** Retention of Lambda and access logs. */
  readonly logRetention: RetentionDays;
  /** Sends per second per Sendblue line (the sender's pacing). */
  readonly lineRatePerSecond: number;
  /** Sends a line may make at once after being idle. */
  readonly lineBurst: number;
  /** How long a command may ride out an outage of Sendblue, seconds (docs/sending.md). */
  readonly outageBudgetSeconds: number;
  /** New contacts a line may start conversations with per rolling hour; 0 = not counted (docs/sending.md). */
  readonly newContactsPerHour: number;
  /** New contacts a line may start conversations with per day (resets 3am New York); 0 = not counted. */
  readonly newContactsPerDay: number;
  /** Domain events on an EventBridge bus (docs/events.md). */
  readonly events: boolean;
  /** Days the event archive keeps events for replay; 0 = for ever. */
  readonly eventArchiveDays: number;
  /** Copies of inbound media in an S3 bucket (docs/media.md). */
  readonly media: boolean;
  /** Days a media copy is kept; 0 = for ever. */
  readonly mediaRetentionDays: number;
  /** Minutes between backfill runs; 0 = no schedule. */
  readonly backfillIntervalMinutes: number;
  /** Lines the backfill reads besides `fromNumber` (E.164, each once). */
  readonly backfillLines: readonly string[];
  /** CloudWatch alarms and their SNS topic (docs/operations.md). */
  readonly alarms: boolean;
  /** The CloudWatch dashboard (docs/operations.md). */
  readonly dashboard: boolean;
  /** Subscribed to the alarm topic by email when set. */
  readonly alarmEmail?: string;
  /** A command this old on the queue alarms, seconds. */
  readonly commandAgeAlarmSeconds: number;
  /** No inbound message on a line for this many hours alarms; 0 = no such alarm. */
  readonly inboundSilenceHours: number;
  /** A line paused by an outage this long alarms, seconds; 0 = no such alarm. */
  readonly linePausedAlarmSeconds: number;
  /**
   * Sends reaching opted-out members: `refuse` or `send`; unset = refuse a new group given by
   * numbers, send to an existing group_id with a warning (docs/sending.md "Pre-flight").
   */
  readonly optedOutMembers?: OptedOutMembersPolicy;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CDK context (set it in cdk.json or with -c key=value):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Looks a context key up, e.g. `(key) => app.node.tryGetContext(key)`. */
export type ContextReader = (key: string) => unknown;

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/** Enough to catch a typo (SNS confirms the address by sending it a link). */
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const RETENTION_VALUES = new Set<number>(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);

/** Reads and validates the context; every problem is reported at once, each naming its key. */
export function parseConfig(read: ContextReader): AppConfig {
  const { config, problems } = readConfig(read);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * The parser itself: the settings with a default for each value that is missing or wrong, and
 * every problem found. `label` names a key in a problem: the SendblueGroups construct
 * (lib/sendblue-groups.ts) reads its props through this too and names them by prop.
 */
export function readConfig(
  read: ContextReader,
  label: (key: string) => string = (key) => key,
): { config: AppConfig; problems: string[] } {
  const problems: string[] = [];
  const get = (key: string): unknown => {
    const value = read(key);
    return value === undefined || value === null || value === '' ? undefined : value;
  };

  const text = (key: string, fallback: string): string => {
    const value = get(key) ?? fallback;
    if (typeof value !== 'string') {
      problems.push(`${label(key)} must be a string, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value.trim();
  };

  const positiveNumber = (key: string, fallback: number, options: { integer?: boolean; max?: number } = {}): number => {
    const raw = get(key) ?? fallback;
    // `-c key=123` arrives as a string, cdk.json gives a number: accept both, nothing else.
    const value = typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
    const kind = options.integer ? 'a positive integer' : 'a positive number';
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value <= 0 ||
      (options.integer && !Number.isInteger(value))
    ) {
      problems.push(`${label(key)} must be ${kind}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    if (options.max !== undefined && value > options.max) {
      problems.push(`${label(key)} must be at most ${options.max}, got ${value}`);
      return fallback;
    }
    return value;
  };

  const flag = (key: string, fallback: boolean): boolean => {
    const raw = get(key) ?? fallback;
    // `-c events=false` arrives as a string, cdk.json gives a boolean.
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    problems.push(`${label(key)} must be true or false, got ${JSON.stringify(raw)}`);
    return fallback;
  };

  /** 0 allowed (it means off, or for ever): `-c key=0` arrives as a string, cdk.json gives a number. */
  const wholeNumber = (key: string, fallback: number, max: number, zeroMeans = 'off', unit = ''): number => {
    const raw = get(key) ?? fallback;
    const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
      problems.push(
        `${label(key)} must be a whole number${unit} from 0 (${zeroMeans}) to ${max}, got ${JSON.stringify(raw)}`,
      );
      return fallback;
    }
    return value;
  };

  /** A list of E.164 lines: an array in cdk.json, or comma-separated with -c. `fromNumber` is left out (always read). */
  const lineList = (key: string, always: string): string[] => {
    const raw = get(key) ?? [...DEFAULTS.backfill.extraLines];
    const items =
      typeof raw === 'string'
        ? raw
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean)
        : raw;
    if (!Array.isArray(items) || items.some((item) => typeof item !== 'string' || !isE164(item))) {
      problems.push(
        `${label(key)} must be a list of E.164 lines such as ["+14155550123"] (or "+1...,+1..." with -c), got ${JSON.stringify(raw)}`,
      );
      return [];
    }
    return [...new Set(items as string[])].filter((line) => line !== always);
  };

  const days = (key: string, fallback: number): number =>
    wholeNumber(key, fallback, 36_500, 'keep for ever', ' of days');

  const stackName = text('stackName', DEFAULTS.stackName);
  if (!STACK_NAME.test(stackName)) {
    problems.push(
      `${label('stackName')} must start with a letter and contain only letters, digits and hyphens (max 128), got ${JSON.stringify(stackName)}`,
    );
  }

  const fromNumber = text('fromNumber', DEFAULTS.fromNumber);
  if (!isE164(fromNumber)) {
    problems.push(
      `${label('fromNumber')} must be an E.164 phone number such as +14155550123, got ${JSON.stringify(fromNumber)}`,
    );
  }

  const sendblueBaseUrl = text('sendblueBaseUrl', DEFAULTS.sendblueBaseUrl).replace(/\/+$/, '');
  problems.push(...checkBaseUrl(sendblueBaseUrl, label('sendblueBaseUrl')));

  const maxBodyBytes = positiveNumber('maxBodyBytes', DEFAULTS.maxBodyBytes, {
    integer: true,
    max: DEFAULTS.maxBodyBytesLimit,
  });
  const throttleRateLimit = positiveNumber('throttleRateLimit', DEFAULTS.throttleRateLimit);
  const throttleBurstLimit = positiveNumber('throttleBurstLimit', DEFAULTS.throttleBurstLimit, { integer: true });

  const retentionDays = positiveNumber('logRetentionDays', DEFAULTS.logRetention, { integer: true });
  if (!RETENTION_VALUES.has(retentionDays)) {
    problems.push(
      `${label('logRetentionDays')} must be one of CloudWatch's values (${[...RETENTION_VALUES].sort((a, b) => a - b).join(', ')}), got ${retentionDays}`,
    );
  }

  const lineRatePerSecond = positiveNumber('lineRatePerSecond', DEFAULTS.line.ratePerSecond, { max: 1000 });
  const lineBurst = positiveNumber('lineBurst', DEFAULTS.line.burst, { integer: true, max: 1000 });
  const outageBudgetSeconds = positiveNumber('outageBudgetSeconds', DEFAULTS.sender.outageBudget.toSeconds(), {
    integer: true,
    max: DEFAULTS.sender.outageBudgetLimit.toSeconds(),
  });

  const newContactsPerHour = wholeNumber('newContactsPerHour', DEFAULTS.newContacts.perHour, 10_000, 'not counted');
  const newContactsPerDay = wholeNumber('newContactsPerDay', DEFAULTS.newContacts.perDay, 100_000, 'not counted');
  if ((newContactsPerHour === 0) !== (newContactsPerDay === 0)) {
    problems.push('newContactsPerHour and newContactsPerDay must both be 0 (not counted) or both above 0');
  }

  const events = flag('events', DEFAULTS.events.enabled);
  const eventArchiveDays = days('eventArchiveDays', DEFAULTS.events.archiveDays);
  const media = flag('media', DEFAULTS.media.enabled);
  const mediaRetentionDays = days('mediaRetentionDays', DEFAULTS.media.retentionDays);
  const backfillIntervalMinutes = wholeNumber(
    'backfillIntervalMinutes',
    DEFAULTS.backfill.intervalMinutes,
    DEFAULTS.backfill.intervalMinutesLimit,
  );
  const backfillLines = lineList('backfillLines', fromNumber);
  const ops = DEFAULTS.operations;
  const alarms = flag('alarms', ops.alarms);
  const dashboard = flag('dashboard', ops.dashboard);
  const alarmEmail = get('alarmEmail') === undefined ? undefined : text('alarmEmail', '');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail))
    problems.push(
      `${label('alarmEmail')} must be one email address such as ops@example.com, got ${JSON.stringify(alarmEmail)}`,
    );
  if (alarmEmail !== undefined && !alarms)
    problems.push(
      `${label('alarmEmail')} is set but ${label('alarms')} is false: nothing would be sent to it (drop one of the two)`,
    );
  const commandAgeAlarmSeconds = positiveNumber('commandAgeAlarmSeconds', ops.commandAgeAlarmSeconds, {
    integer: true,
    max: ops.commandAgeAlarmSecondsLimit,
  });
  const inboundSilenceHours = wholeNumber(
    'inboundSilenceHours',
    ops.inboundSilenceHours,
    ops.inboundSilenceHoursLimit,
    'no such alarm',
    ' of hours',
  );

  const linePausedAlarmSeconds = wholeNumber(
    'linePausedAlarmSeconds',
    ops.linePausedAlarmSeconds,
    DEFAULTS.sender.outageBudgetLimit.toSeconds(),
    'no such alarm',
    ' of seconds',
  );

  const rawOptedOut = get('optedOutMembers');
  const optedOutMembers = rawOptedOut === undefined ? DEFAULTS.contacts.optedOutMembers : rawOptedOut;
  if (optedOutMembers !== undefined && !isOptedOutMembersPolicy(optedOutMembers))
    problems.push(
      `${label('optedOutMembers')} must be refuse or send (unset: refuse a new group, send to a group_id with a warning), got ${JSON.stringify(rawOptedOut)}`,
    );

  const config: AppConfig = {
    stackName,
    fromNumber,
    sendblueBaseUrl,
    maxBodyBytes,
    throttleRateLimit,
    throttleBurstLimit,
    logRetention: retentionDays as RetentionDays,
    lineRatePerSecond,
    lineBurst,
    outageBudgetSeconds,
    newContactsPerHour,
    newContactsPerDay,
    events,
    eventArchiveDays,
    media,
    mediaRetentionDays,
    backfillIntervalMinutes,
    backfillLines,
    alarms,
    dashboard,
    ...(alarmEmail !== undefined ? { alarmEmail } : {}),
    commandAgeAlarmSeconds,
    inboundSilenceHours,
    linePausedAlarmSeconds,
    ...(isOptedOutMembersPolicy(optedOutMembers) ? { optedOutMembers } : {}),
  };
  return { config, problems };
}

function checkBaseUrl(value: string, key: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${key} must be an absolute URL such as ${DEFAULTS.sendblueBaseUrl}, got ${JSON.stringify(value)}`];
  }
  if (url.protocol === 'https:') return [];
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return [];
  return [`${key} must use https (http is allowed only for localhost), got ${JSON.stringify(value)}`];
}

/** True while `fromNumber` is the shipped placeholder (the stack warns on synth). */
export const isPlaceholderFromNumber = (config: AppConfig): boolean => config.fromNumber === DEFAULTS.fromNumber;
