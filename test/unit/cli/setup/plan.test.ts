/**
 * What `cli setup` decides from the account's webhook list (no I/O): add, keep or replace each
 * of our two; remove only ours; show others by type and host only. And how Sendblue's list
 * answer is read.
 */
import { describe, expect, it } from 'vitest';
import { describeAccount, planRemoval, planSetup } from '../../../../cli/setup/plan.js';
import { parseAccountWebhooks, type AccountWebhooks } from '../../../../cli/setup/sendblue-webhooks.js';

const OURS = {
  receive: 'https://abc.execute-api.us-east-1.amazonaws.com/webhooks/receive',
  outbound: 'https://abc.execute-api.us-east-1.amazonaws.com/webhooks/status',
};
const SECRET = 'stack-webhook-secret';
const FOREIGN = { type: 'receive', url: 'https://crm.example.com/hooks/sendblue?key=their-token', secret: 'theirs' };

const account = (...webhooks: AccountWebhooks['webhooks']): AccountWebhooks => ({ webhooks });

describe('planSetup', () => {
  it('an empty account: add both', () => {
    expect(planSetup(account(), OURS, SECRET)).toEqual([
      { action: 'add', type: 'receive', url: OURS.receive },
      { action: 'add', type: 'outbound', url: OURS.outbound },
    ]);
  });

  it('both registered once with our secret: keep both (a second run adds nothing); foreign webhooks change nothing', () => {
    const registered = account(
      FOREIGN,
      { type: 'receive', url: OURS.receive, secret: SECRET },
      { type: 'outbound', url: OURS.outbound, secret: SECRET },
    );
    expect(planSetup(registered, OURS, SECRET).map((step) => step.action)).toEqual(['keep', 'keep']);
  });

  it('matched by type and exact URL: our receive URL under outbound, or with a query or a trailing slash, is not ours', () => {
    const lookalikes = account(
      { type: 'outbound', url: OURS.receive, secret: SECRET },
      { type: 'receive', url: `${OURS.receive}/`, secret: SECRET },
      { type: 'outbound', url: `${OURS.outbound}?token=x`, secret: SECRET },
    );
    expect(planSetup(lookalikes, OURS, SECRET).map((step) => step.action)).toEqual(['add', 'add']);
    expect(planRemoval(lookalikes, OURS)).toEqual([]);
  });

  it('registered twice, with another secret, or without one: replaced, with the reason', () => {
    expect(
      planSetup(
        account(
          { type: 'receive', url: OURS.receive, secret: SECRET },
          { type: 'receive', url: OURS.receive, secret: SECRET },
          { type: 'outbound', url: OURS.outbound, secret: 'old-secret' },
        ),
        OURS,
        SECRET,
      ),
    ).toEqual([
      { action: 'replace', type: 'receive', url: OURS.receive, reason: 'registered 2 times' },
      { action: 'replace', type: 'outbound', url: OURS.outbound, reason: 'registered with another secret' },
    ]);
    expect(planSetup(account({ type: 'receive', url: OURS.receive }), OURS, SECRET)[0]).toMatchObject({
      action: 'replace',
      reason: 'registered without a secret',
    });
  });

  it("a webhook without its own secret uses the account's global secret", () => {
    const withGlobal = { webhooks: [{ type: 'receive', url: OURS.receive }], globalSecret: SECRET };
    expect(planSetup(withGlobal, OURS, SECRET)[0]).toMatchObject({ action: 'keep' });
    expect(planSetup({ ...withGlobal, globalSecret: 'other' }, OURS, SECRET)[0]).toMatchObject({ action: 'replace' });
  });
});

describe('planRemoval', () => {
  it('only ours that exist, once per type and URL; never a foreign webhook', () => {
    const registered = account(
      FOREIGN,
      { type: 'receive', url: OURS.receive, secret: SECRET },
      { type: 'receive', url: OURS.receive },
    );
    expect(planRemoval(registered, OURS)).toEqual([{ type: 'receive', url: OURS.receive }]);
    expect(planRemoval(account(FOREIGN), OURS)).toEqual([]);
  });
});

describe('describeAccount', () => {
  it('ours in full with whether they carry our secret, others by type and host only (never their path, query or secret)', () => {
    const views = describeAccount(
      account(
        FOREIGN,
        { type: 'typing_indicator', url: 'not a url' },
        { type: 'outbound', url: OURS.outbound, secret: 'old' },
        { type: 'receive', url: OURS.receive, secret: SECRET },
      ),
      OURS,
      SECRET,
    );
    expect(views).toEqual([
      {
        type: 'receive',
        ours: true,
        url: OURS.receive,
        host: 'abc.execute-api.us-east-1.amazonaws.com',
        secret: 'ours',
      },
      {
        type: 'outbound',
        ours: true,
        url: OURS.outbound,
        host: 'abc.execute-api.us-east-1.amazonaws.com',
        secret: 'other',
      },
      { type: 'receive', ours: false, host: 'crm.example.com' },
      { type: 'typing_indicator', ours: false, host: '(not a URL)' },
    ]);
    expect(JSON.stringify(views)).not.toMatch(/their-token|theirs|stack-webhook-secret/);
  });
});

describe("parseAccountWebhooks (Sendblue's list answer, read defensively)", () => {
  it('reads URL strings and {url, secret} objects per type, and the global secret; skips anything else', () => {
    expect(
      parseAccountWebhooks({
        status: 'OK',
        webhooks: {
          receive: ['https://a.example/in', { url: 'https://b.example/in', secret: 's' }, { secret: 'no url' }, 42, ''],
          outbound: [{ url: 'https://c.example/out', secret: '' }],
          contact_created: 'not a list',
          globalSecret: 'g',
        },
      }),
    ).toEqual({
      webhooks: [
        { type: 'receive', url: 'https://a.example/in' },
        { type: 'receive', url: 'https://b.example/in', secret: 's' },
        { type: 'outbound', url: 'https://c.example/out' },
      ],
      globalSecret: 'g',
    });
    for (const answer of [undefined, null, {}, { webhooks: [] }, { webhooks: 'x' }])
      expect(parseAccountWebhooks(answer)).toEqual({ webhooks: [] });
  });
});
