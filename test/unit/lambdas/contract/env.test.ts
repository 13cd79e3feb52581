import { afterEach, describe, expect, it } from 'vitest';
import { numberFromEnv } from '../../../../lambdas/contract/env.js';

const NAME = 'SENDBLUE_GROUPS_TEST_NUMBER';
afterEach(() => {
  delete process.env[NAME];
});

describe('numberFromEnv: the numeric settings the stack passes to the Lambdas', () => {
  it('takes a number the rule accepts', () => {
    process.env[NAME] = '2.5';
    expect(numberFromEnv(NAME, 7)).toBe(2.5);
    process.env[NAME] = '0';
    expect(numberFromEnv(NAME, 7, (value) => value >= 0)).toBe(0);
  });

  it.each([undefined, '', '  ', 'abc', 'NaN', 'Infinity', '0', '-3'])(
    'falls back on %j (unset, empty, not a number, or refused by the default rule: positive)',
    (raw) => {
      if (raw !== undefined) process.env[NAME] = raw;
      expect(numberFromEnv(NAME, 7)).toBe(7);
    },
  );
});
