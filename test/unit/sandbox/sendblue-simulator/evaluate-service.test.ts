/**
 * GET /api/evaluate-service through the official SDK (`client.lookups.lookupNumber`): iMessage or
 * SMS for a number, deterministic (by default a number ending in 9 is SMS-only), configurable.
 */
import { describe, expect, it } from 'vitest';
import { A, apiError, sdkClient, useSimulator } from './support.js';
import { startSendblueSimulator } from '../../../../sandbox/sendblue-simulator/index.js';

const fx = useSimulator();

describe('GET /api/evaluate-service', () => {
  it('answers iMessage, or SMS for a number ending in 9, the same every time; an email address is iMessage', async () => {
    expect(await fx.client.lookups.lookupNumber({ number: A })).toEqual({ number: A, service: 'iMessage' });
    expect(await fx.client.lookups.lookupNumber({ number: '+14155550109' })).toEqual({
      number: '+14155550109',
      service: 'SMS',
    });
    expect((await fx.client.lookups.lookupNumber({ number: '+14155550109' })).service).toBe('SMS');
    expect(await fx.client.lookups.lookupNumber({ number: 'Someone@Example.com' })).toEqual({
      number: 'someone@example.com',
      service: 'iMessage',
    });
    // Typed unencoded in a shell, the plus survives.
    expect((await fx.raw('/api/evaluate-service?number=+14155550109')).body).toEqual({
      number: '+14155550109',
      service: 'SMS',
    });
    expect(fx.sim.requests.every((request) => request.status === 200)).toBe(true);
  });

  it('refuses a missing or malformed number with 400', async () => {
    for (const number of ['', '555-0100', '+1', 'not an address@', '+1415555010a']) {
      const error = await apiError(fx.client.lookups.lookupNumber({ number }));
      expect(error.status).toBe(400);
    }
    expect((await fx.raw('/api/evaluate-service')).status).toBe(400);
  });

  it('takes a list or a test of SMS-only numbers', async () => {
    for (const smsNumbers of [[A], (number: string) => number === A]) {
      const sim = await startSendblueSimulator({
        apiKeyId: 'k',
        apiSecretKey: 's',
        lines: ['+15550000000'],
        smsNumbers,
      });
      try {
        const client = sdkClient(sim, { apiKey: 'k', apiSecret: 's' });
        expect((await client.lookups.lookupNumber({ number: A })).service).toBe('SMS');
        expect((await client.lookups.lookupNumber({ number: '+14155550109' })).service).toBe('iMessage');
      } finally {
        await sim.stop();
      }
    }
  });
});
