import { describe, expect, it } from 'vitest';
import { createLogger, maskPhone, redact } from '../../lambdas/shared/logger';

describe('logger redaction', () => {
  it('masks phone numbers wherever they appear', () => {
    expect(maskPhone('+14155550123')).toBe('+1415***0123');
    expect(maskPhone('from +14155550123 to +12125550177')).not.toMatch(/5550123|5550177/);
    expect(maskPhone('14155550123')).toBe('1415***0123');
  });

  it('leaves dates, handles and short numbers alone', () => {
    for (const text of ['2026-11-28T19:28:13.196Z', '5B0E7C2A-8F1D-4C3B-9A6E-2D7F1B4C8E90', 'error 10001', 'status 503']) {
      expect(maskPhone(text)).toBe(text);
    }
  });

  it('drops values under secret-looking keys at any depth', () => {
    const out = redact({ apiSecretKey: 's3cr3t', nested: { 'sb-signing-secret': 'x', token: 'y', api_key: 'z' }, ok: 1 });
    expect(JSON.stringify(out)).not.toMatch(/s3cr3t|"x"|"y"|"z"/);
    expect(out).toMatchObject({ ok: 1 });
  });

  it('writes one JSON line per entry with masked numbers and no secrets', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line) });
    logger.debug('hidden');
    logger.info('webhook stored', { from_number: '+14155550123', secret: 'hunter2', participants: ['+12125550177'] });
    logger.error('failed', { error: new Error('could not reach +13055550100') });
    expect(lines).toHaveLength(2);
    const joined = lines.join('\n');
    expect(joined).not.toMatch(/hunter2|4155550123|2125550177|3055550100/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', message: 'webhook stored', from_number: '+1415***0123' });
  });
});
