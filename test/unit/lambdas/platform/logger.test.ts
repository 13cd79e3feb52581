import { describe, expect, it } from 'vitest';
import { createLogger, maskPhone, redact } from '../../../../lambdas/platform/logger.js';

describe('logger redaction', () => {
  it('masks phone numbers wherever they appear', () => {
    expect(maskPhone('+14155550123')).toBe('+1415***0123');
    expect(maskPhone('from +14155550123 to +12125550177')).not.toMatch(/5550123|5550177/);
    expect(maskPhone('14155550123')).toBe('1415***0123');
  });

  it.each([
    ['+14155550123é', '+1415***0123é'],
    ['+14155550123abc', '+1415***0123abc'],
    ['id14155550123', 'id1415***0123'],
    ['+1 415 555 0123', '+1415***0123'],
    ['+1-415-555-0123', '+1415***0123'],
    ['(415) 555-0123', '4155***0123'],
    ['415.555.0123 or +44 20 7946 0958', '4155***0123 or +4420***0958'],
    ['tel:+14155550123,+12125550177', 'tel:+1415***0123,+1212***0177'],
  ])('masks numbers with separators or letters around them: %s', (text, masked) => {
    expect(maskPhone(text)).toBe(masked);
  });

  it('leaves ISO dates, UUIDs, long ids and short numbers alone', () => {
    for (const text of [
      '2026-11-28T19:28:13.196Z',
      '2026-11-28 19:28:13',
      '5b0e7c2a-8f1d-4c3b-9a6e-2d7f1b4c8e90',
      '12345678-1234-1234-1234-123456789012',
      'sb_group_597152dd-914c-4867-9db1-883816603944',
      'message_handle=65b607c4-5271-4a0b-8c11-000000001192 group_id=x',
      'error 10001',
      'v1.2.3',
      '127.0.0.1:8000',
    ]) {
      expect(maskPhone(text)).toBe(text);
    }
  });

  it('masks a number next to a UUID, not the UUID', () => {
    expect(maskPhone('to +14155550123 in 597152dd-914c-4867-9db1-883816603944')).toBe(
      'to +1415***0123 in 597152dd-914c-4867-9db1-883816603944',
    );
  });

  it('truncates long strings with a marker, after masking', () => {
    const long = `+14155550123 ${'x'.repeat(120_000)}`;
    const out = redact({ content: long }) as { content: string };
    expect(out.content.length).toBeLessThan(1_100);
    expect(out.content).toMatch(/^\+1415\*\*\*0123 x+…\[truncated, \d+ more characters\]$/);
  });

  it('does not log what lies deeper than it looks: no number or secret escapes through depth', () => {
    let deep: Record<string, unknown> = { from_number: '+14155550123', token: 'hunter2' };
    for (let i = 0; i < 20; i += 1) deep = { deep };
    const text = JSON.stringify(redact(deep));
    expect(text).not.toMatch(/4155550123|hunter2/);
    expect(text).toContain('[too deep]');
  });

  it('leaves dates, handles and short numbers alone', () => {
    for (const text of [
      '2026-11-28T19:28:13.196Z',
      '5B0E7C2A-8F1D-4C3B-9A6E-2D7F1B4C8E90',
      'error 10001',
      'status 503',
    ]) {
      expect(maskPhone(text)).toBe(text);
    }
  });

  it('drops values under secret-looking keys at any depth', () => {
    const out = redact({
      apiSecretKey: 's3cr3t',
      nested: { 'sb-signing-secret': 'x', token: 'y', api_key: 'z' },
      ok: 1,
    });
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
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      message: 'webhook stored',
      from_number: '+1415***0123',
    });
  });
});
