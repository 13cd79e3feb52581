import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../../lambdas/platform/http.js';
import { ConfigError, parseConfig } from '../../../lib/config.js';
import { DEFAULTS } from '../../../lib/defaults.js';

const from = (context: Record<string, unknown>) => parseConfig((key) => context[key]);

describe('parseConfig', () => {
  it('falls back to safe defaults for an empty context', () => {
    expect(from({})).toEqual({
      stackName: 'SendblueGroups',
      fromNumber: DEFAULTS.fromNumber,
      sendblueBaseUrl: 'https://api.sendblue.co',
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      throttleRateLimit: 50,
      throttleBurstLimit: 100,
      logRetention: RetentionDays.ONE_MONTH,
      // Sendblue's published per-line limits.
      lineRatePerSecond: 1,
      lineBurst: 10,
      // A command rides out an hour of Sendblue outage.
      outageBudgetSeconds: 3_600,
      // Sendblue's published new-contact quota per line.
      newContactsPerHour: 15,
      newContactsPerDay: 50,
      events: true,
      eventArchiveDays: 30,
      media: true,
      mediaRetentionDays: 365,
      backfillIntervalMinutes: 5,
      backfillLines: [],
      alarms: true,
      dashboard: true,
      commandAgeAlarmSeconds: 3_600,
      inboundSilenceHours: 24,
      linePausedAlarmSeconds: 300,
    });
  });

  it('outages: the budget in whole seconds up to a day, the paused-line alarm in seconds (0 = none)', () => {
    expect(from({ outageBudgetSeconds: '7200', linePausedAlarmSeconds: '0' })).toMatchObject({
      outageBudgetSeconds: 7_200,
      linePausedAlarmSeconds: 0,
    });
    expect(() => from({ outageBudgetSeconds: 0 })).toThrow(/outageBudgetSeconds must be a positive integer, got 0/);
    expect(() => from({ outageBudgetSeconds: 86_401 })).toThrow(/outageBudgetSeconds must be at most 86400/);
    expect(() => from({ linePausedAlarmSeconds: -1 })).toThrow(
      /linePausedAlarmSeconds must be a whole number of seconds from 0 \(no such alarm\) to 86400/,
    );
  });

  it('the new-contact quota: whole numbers, both 0 (not counted) or both above 0', () => {
    expect(from({ newContactsPerHour: '10', newContactsPerDay: 40 })).toMatchObject({
      newContactsPerHour: 10,
      newContactsPerDay: 40,
    });
    expect(from({ newContactsPerHour: 0, newContactsPerDay: '0' })).toMatchObject({ newContactsPerHour: 0 });
    expect(() => from({ newContactsPerHour: 0 })).toThrow(/must both be 0 \(not counted\) or both above 0/);
    expect(() => from({ newContactsPerDay: 1.5 })).toThrow(/newContactsPerDay must be a whole number from 0/);
  });

  it('operations: alarms and dashboard on or off, an alarm email, the queue age and the silence hours (0 = no silence alarm)', () => {
    expect(from({ alarms: 'false', dashboard: false })).toMatchObject({ alarms: false, dashboard: false });
    expect(from({ alarmEmail: ' ops@example.com ' }).alarmEmail).toBe('ops@example.com');
    expect(from({}).alarmEmail).toBeUndefined();
    expect(from({ commandAgeAlarmSeconds: '900', inboundSilenceHours: '0' })).toMatchObject({
      commandAgeAlarmSeconds: 900,
      inboundSilenceHours: 0,
    });
    expect(from({ inboundSilenceHours: 168 }).inboundSilenceHours).toBe(168);
  });

  it.each([
    [{ alarms: 'yes' }, /alarms must be true or false, got "yes"/],
    [{ dashboard: 1 }, /dashboard must be true or false, got 1/],
    [{ alarmEmail: 'ops@example' }, /alarmEmail must be one email address such as ops@example.com, got "ops@example"/],
    [{ alarmEmail: 'a@example.com,b@example.com' }, /alarmEmail must be one email address/],
    [{ alarmEmail: 'ops@example.com', alarms: false }, /alarmEmail is set but alarms is false/],
    [{ commandAgeAlarmSeconds: 0 }, /commandAgeAlarmSeconds must be a positive integer, got 0/],
    [{ commandAgeAlarmSeconds: 1_209_601 }, /commandAgeAlarmSeconds must be at most 1209600/],
    [
      { inboundSilenceHours: 169 },
      /inboundSilenceHours must be a whole number of hours from 0 \(no such alarm\) to 168, got 169/,
    ],
    [{ inboundSilenceHours: 1.5 }, /inboundSilenceHours must be a whole number of hours/],
  ])('rejects %j, naming the key', (context, message) => {
    expect(() => from(context)).toThrow(message);
  });

  it('backfill: an interval of whole minutes (0 = off) and extra lines as a list or comma-separated, each once', () => {
    expect(from({ backfillIntervalMinutes: '0' }).backfillIntervalMinutes).toBe(0);
    expect(from({ backfillIntervalMinutes: 15 }).backfillIntervalMinutes).toBe(15);
    expect(
      from({ fromNumber: '+14155550123', backfillLines: ['+14155550124', '+14155550124', '+14155550123'] })
        .backfillLines,
    ).toEqual(['+14155550124']);
    expect(from({ backfillLines: '+14155550124, +14155550125' }).backfillLines).toEqual([
      '+14155550124',
      '+14155550125',
    ]);
  });

  it.each([
    [{ backfillIntervalMinutes: -1 }, /backfillIntervalMinutes must be a whole number from 0 \(off\) to 1440, got -1/],
    [{ backfillIntervalMinutes: '2.5' }, /backfillIntervalMinutes must be a whole number/],
    [{ backfillIntervalMinutes: 1441 }, /backfillIntervalMinutes must be a whole number from 0 \(off\) to 1440/],
    [{ backfillLines: ['555-0100'] }, /backfillLines must be a list of E\.164 lines/],
    [{ backfillLines: { a: 1 } }, /backfillLines must be a list of E\.164 lines/],
  ])('rejects %j, naming the key', (context, message) => {
    expect(() => from(context)).toThrow(message);
  });

  it('accepts numbers given as strings (-c key=value) and trims a trailing slash from the URL', () => {
    const config = from({
      fromNumber: '+14155550123',
      sendblueBaseUrl: 'https://api.sendblue.co/',
      maxBodyBytes: '1024',
      throttleRateLimit: '2.5',
      throttleBurstLimit: 5,
      logRetentionDays: '7',
      stackName: 'Groups-Dev',
    });
    expect(config).toMatchObject({
      stackName: 'Groups-Dev',
      fromNumber: '+14155550123',
      sendblueBaseUrl: 'https://api.sendblue.co',
      maxBodyBytes: 1024,
      throttleRateLimit: 2.5,
      throttleBurstLimit: 5,
      logRetention: RetentionDays.ONE_WEEK,
    });
  });

  it.each(['4155550123', '+0155550123', '+1 415 555 0123', 'abc', '+1'])(
    'rejects fromNumber %j with a clear message',
    (fromNumber) => {
      expect(() => from({ fromNumber })).toThrow(/fromNumber must be an E\.164 phone number such as \+14155550123/);
    },
  );

  it('rejects plain http except on localhost', () => {
    expect(() => from({ sendblueBaseUrl: 'http://api.sendblue.co' })).toThrow(
      /sendblueBaseUrl must use https \(http is allowed only for localhost\)/,
    );
    expect(() => from({ sendblueBaseUrl: 'not a url' })).toThrow(/sendblueBaseUrl must be an absolute URL/);
    expect(() => from({ sendblueBaseUrl: 'ftp://localhost' })).toThrow(/sendblueBaseUrl must use https/);
    expect(from({ sendblueBaseUrl: 'http://localhost:4010' }).sendblueBaseUrl).toBe('http://localhost:4010');
    expect(from({ sendblueBaseUrl: 'http://127.0.0.1:4010' }).sendblueBaseUrl).toBe('http://127.0.0.1:4010');
  });

  it.each([
    ['maxBodyBytes', 0, /maxBodyBytes must be a positive integer, got 0/],
    ['maxBodyBytes', '-5', /maxBodyBytes must be a positive integer, got "-5"/],
    ['maxBodyBytes', 1.5, /maxBodyBytes must be a positive integer/],
    ['maxBodyBytes', 7 * 1024 * 1024, /maxBodyBytes must be at most 6291456/],
    ['throttleRateLimit', 'fast', /throttleRateLimit must be a positive number, got "fast"/],
    ['throttleBurstLimit', -1, /throttleBurstLimit must be a positive integer/],
    ['logRetentionDays', 2, /logRetentionDays must be one of CloudWatch's values/],
    ['stackName', '1-bad_name', /stackName must start with a letter/],
    ['lineRatePerSecond', 0, /lineRatePerSecond must be a positive number/],
    ['lineRatePerSecond', 5000, /lineRatePerSecond must be at most 1000/],
    ['lineBurst', 2.5, /lineBurst must be a positive integer/],
  ])('rejects %s = %j', (key, value, message) => {
    expect(() => from({ [key]: value })).toThrow(message);
  });

  it('reports every problem at once', () => {
    try {
      from({ fromNumber: 'x', maxBodyBytes: 'y' });
      expect.unreachable('parseConfig should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
      expect((error as Error).message).toMatch(/^Invalid CDK context/);
    }
  });
});
