/**
 * The pieces every CLI hint and `--wait` line is made of, as plain functions: the command prefix
 * for a target, the typo suggestion, and the progress renderer (command views in, lines out).
 */
import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../../cli/closest.js';
import { cliHint, shellWord } from '../../../cli/context.js';
import { commandLines, type CommandView } from '../../../cli/format.js';
import { pausedText } from '../../../lambdas/sending/attempt-outcome.js';
import { describeProgress, progressTracker } from '../../../cli/progress.js';
import { sandboxCliPrefix, sandboxSetupSecrets } from '../../../sandbox/cli-prefix.js';
import { DEFAULT_SANDBOX_CONFIG } from '../../../sandbox/config.js';

describe('cliHint: a command to paste, against the target in use', () => {
  it('the sandbox on its default ports: the plain command', () => {
    expect(cliHint({}, {})('status', 'abc')).toBe('npm run cli -- status abc');
    expect(cliHint({}, { SANDBOX_PORT: '3000', SANDBOX_SQS_PORT: '' })('dlq')).toBe('npm run cli -- dlq');
  });

  it('the sandbox on other ports: the env vars the CLI reads, before the command', () => {
    expect(cliHint({}, { SANDBOX_PORT: '3100', SANDBOX_SQS_PORT: '9400' })('status', 'abc', '--wait')).toBe(
      'SANDBOX_PORT=3100 SANDBOX_SQS_PORT=9400 npm run cli -- status abc --wait',
    );
    // One prefix for every command: the simulator's port too (setup calls it), never DynamoDB's.
    expect(
      cliHint({}, { SANDBOX_SQS_PORT: '9400', SANDBOX_SIMULATOR_PORT: '4100', SANDBOX_DYNAMODB_PORT: '8100' })('dlq'),
    ).toBe('SANDBOX_SQS_PORT=9400 SANDBOX_SIMULATOR_PORT=4100 npm run cli -- dlq');
    expect(cliHint({}, { SANDBOX_SIMULATOR_PORT: '4100' })('setup', '--remove')).toBe(
      'SANDBOX_SIMULATOR_PORT=4100 npm run cli -- setup --remove',
    );
    // SENDBLUE_BASE_URL replaces the simulator (setup calls it); never a URL's credentials.
    expect(cliHint({}, { SANDBOX_SIMULATOR_PORT: '4100', SENDBLUE_BASE_URL: 'http://127.0.0.1:5000' })('setup')).toBe(
      'SENDBLUE_BASE_URL=http://127.0.0.1:5000 npm run cli -- setup',
    );
    expect(cliHint({}, { SENDBLUE_BASE_URL: 'https://user:s3cret@sb.example' })('setup')).toBe(
      'SENDBLUE_BASE_URL="$SENDBLUE_BASE_URL" npm run cli -- setup',
    );
  });

  it('a deployed stack: the selection the user gave, and nothing the environment still holds', () => {
    expect(cliHint({ stack: 'Prod', region: 'eu-west-1' }, {})('status', 'abc')).toBe(
      'npm run cli -- status abc --stack Prod --region eu-west-1',
    );
    expect(cliHint({ aws: true }, { SANDBOX_PORT: '3100' })('dlq', '--redrive')).toBe(
      'npm run cli -- dlq --redrive --aws',
    );
    expect(cliHint({ stack: 'Prod', aws: true }, {})('dlq')).toBe('npm run cli -- dlq --stack Prod');
    expect(cliHint({}, { SENDBLUE_GROUPS_STACK: 'Prod', SANDBOX_PORT: '3100' })('status', 'abc')).toBe(
      'npm run cli -- status abc',
    );
    expect(cliHint({ region: 'us-west-2' }, { SENDBLUE_GROUPS_STACK: 'Prod' })('dlq')).toBe(
      'npm run cli -- dlq --region us-west-2',
    );
  });

  it('words a shell would split or expand are quoted', () => {
    expect(shellWord('sb_group_1+2/3=')).toBe('sb_group_1+2/3=');
    expect(shellWord('my id')).toBe("'my id'");
    expect(shellWord("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(cliHint({}, {})('status', 'a b')).toBe("npm run cli -- status 'a b'");
  });

  it('sandboxCliPrefix (what the banner prints): every env var the CLI reaches the sandbox with, when not the default', () => {
    const config = { ...DEFAULT_SANDBOX_CONFIG, port: 3100, simulatorPort: 4100, dynamoDbPort: 8100 };
    expect(sandboxCliPrefix(config)).toBe('SANDBOX_PORT=3100 SANDBOX_SIMULATOR_PORT=4100 npm run cli --');
    expect(sandboxCliPrefix({ ...config, sqsPort: 9400 })).toBe(
      'SANDBOX_PORT=3100 SANDBOX_SQS_PORT=9400 SANDBOX_SIMULATOR_PORT=4100 npm run cli --',
    );
    expect(sandboxCliPrefix({ ...config, sendblueBaseUrl: 'http://localhost:5000/sb' })).toBe(
      'SANDBOX_PORT=3100 SENDBLUE_BASE_URL=http://localhost:5000/sb npm run cli --',
    );
    expect(sandboxCliPrefix(DEFAULT_SANDBOX_CONFIG)).toBe('npm run cli --');
    // Secrets are never in it: the banner names the ones setup needs instead.
    const secret = { ...DEFAULT_SANDBOX_CONFIG, apiKeyId: 'k-1', webhookSecret: 'w-1' };
    expect(sandboxCliPrefix(secret)).toBe('npm run cli --');
    expect(sandboxSetupSecrets(secret)).toEqual(['SENDBLUE_API_KEY_ID', 'SENDBLUE_WEBHOOK_SECRET']);
    expect(sandboxSetupSecrets(DEFAULT_SANDBOX_CONFIG)).toEqual([]);
  });
});

describe('closest: what a typo meant', () => {
  const options = ['json', 'help', 'stack', 'aws', 'region', 'to', 'group', 'media', 'id', 'wait', 'timeout'];

  it.each([
    ['tp', 'to'],
    ['gruop', 'group'],
    ['wiat', 'wait'],
    ['timout', 'timeout'],
    ['jsn', 'json'],
  ])('%s -> %s', (typed, meant) => expect(closest(typed, options)).toBe(meant));

  it('nothing when no name is near, or two are as near', () => {
    expect(closest('bogus', options)).toBeUndefined();
    expect(closest('x', options)).toBeUndefined();
    expect(closest('ab', ['ac', 'ad'])).toBeUndefined();
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('sned', 'send')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('progress: command views in, lines out', () => {
  const NOW = Date.parse('2026-11-28T20:00:00.000Z');
  const inSeconds = (s: number) => new Date(NOW + s * 1000).toISOString();
  const view = (fields: Partial<CommandView>): CommandView => ({
    command_id: 'c1',
    type: 'send_group_message',
    state: 'queued',
    group_id: null,
    message_handle: null,
    error: null,
    fingerprint: 'f',
    refused_reuses: [],
    failures: 0,
    next_attempt_at: null,
    outage_since: null,
    updated_at: null,
    ...fields,
  });

  it('says each state in words, from what the view holds', () => {
    expect(describeProgress(undefined, NOW)).toBe('queued, not picked up by the sender yet');
    expect(describeProgress(view({}), NOW)).toBe('queued');
    expect(describeProgress(view({ state: 'sending' }), NOW)).toBe('sending');
    expect(describeProgress(view({ state: 'sending', failures: 1 }), NOW)).toBe('sending, after 1 failed attempt');
    expect(
      describeProgress(
        view({
          error: 'Sendblue refused to send the group message: HTTP 429; back-pressure (not a failure): again in 3 s',
          next_attempt_at: inSeconds(2.2),
        }),
        NOW,
      ),
    ).toBe('queued, retrying in 3 s: Sendblue refused to send the group message: HTTP 429');
    expect(
      describeProgress(
        view({ error: 'line busy: waiting for its send slot in 2 s', next_attempt_at: inSeconds(2) }),
        NOW,
      ),
    ).toBe('queued, waiting for a send slot on the line (in 2 s)');
    expect(
      describeProgress(
        view({ error: 'HTTP 500; retry 3 of 5 in 4 s', failures: 2, next_attempt_at: inSeconds(4) }),
        NOW,
      ),
    ).toBe('queued, retrying in 4 s: HTTP 500; 2 failed attempts');
    expect(
      describeProgress(
        view({
          state: 'unknown',
          error: 'timed out; Sendblue may have it: checking in 5 s before anything is sent',
          failures: 1,
          next_attempt_at: inSeconds(5),
        }),
        NOW,
      ),
    ).toBe('unknown, Sendblue may have it: checking in 5 s before anything is sent (timed out; 1 failed attempt)');
    expect(describeProgress(view({ state: 'sent' }), NOW)).toBe('sent ✓');
    expect(describeProgress(view({ state: 'failed', error: 'HTTP 400: Bad request' }), NOW)).toBe(
      'failed ✗: HTTP 400: Bad request',
    );
    // A due time already past: "in 0 s", never negative.
    expect(describeProgress(view({ error: 'x; again in 1 s', next_attempt_at: inSeconds(-3) }), NOW)).toBe(
      'queued, retrying in 0 s: x',
    );
  });

  it("a command riding out an outage: its line's pause, from the very text the sender writes, and how long it has waited", () => {
    const pause = {
      line: '+15550000000',
      since: NOW - 95_000,
      retryAt: NOW + 4_000,
      gapMs: 8_000,
      reason: 'could not reach Sendblue to send the group message (ECONNREFUSED)',
    };
    const paused = view({ error: pausedText(pause), next_attempt_at: inSeconds(4), outage_since: inSeconds(-60) });
    expect(describeProgress(paused, NOW)).toBe(
      'queued, line paused: Sendblue unreachable since 2026-11-28 19:58:25 (could not reach Sendblue to send the group message (ECONNREFUSED)); next look in 4 s',
    );
    expect(describeProgress({ ...paused, state: 'unknown' }, NOW)).toMatch(
      /^unknown, line paused: .*; next look in 4 s; Sendblue may have it: checked before anything is sent$/,
    );
    // Unreachable, its line not (yet) paused: the reason, and since when.
    expect(
      describeProgress(
        view({
          error:
            'could not reach Sendblue (ECONNREFUSED); again in 5 s (waiting up to 1 h from 2026-11-28T19:59:00.000Z, not counted as a failure)',
          next_attempt_at: inSeconds(5),
          outage_since: '2026-11-28T19:59:00.000Z',
        }),
        NOW,
      ),
    ).toBe(
      'queued, retrying in 5 s: could not reach Sendblue (ECONNREFUSED); Sendblue unreachable since 2026-11-28 19:59:00',
    );
    expect(commandLines(paused, (...args) => args.join(' '))).toContain(
      '  outage   Sendblue unreachable since 2026-11-28 19:59:00: not counted as failures; past the outage budget (1 h by default) it fails, unless Sendblue may have it',
    );
  });

  it('a line for each change, none while nothing changes', () => {
    const track = progressTracker();
    const retry = view({
      error: 'HTTP 429; back-pressure (not a failure): again in 1 s',
      next_attempt_at: inSeconds(1),
    });
    const lines = [
      track(undefined, NOW),
      track(undefined, NOW + 250),
      track(view({}), NOW + 500),
      track(view({ state: 'sending' }), NOW + 750),
      track(view({ state: 'sending' }), NOW + 1000),
      track(retry, NOW),
      track(retry, NOW + 500),
      track(view({ state: 'sending' }), NOW + 1500),
      track(view({ state: 'sent', message_handle: 'm1' }), NOW + 2000),
    ].filter((line) => line !== undefined);
    expect(lines).toEqual([
      'queued, not picked up by the sender yet',
      'queued',
      'sending',
      'queued, retrying in 1 s: HTTP 429',
      'sending',
      'sent ✓',
    ]);
  });
});
