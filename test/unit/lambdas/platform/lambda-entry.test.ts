import { describe, expect, it } from 'vitest';
import { lambdaEntry } from '../../../../lambdas/platform/lambda-entry.js';
import { createLogger } from '../../../../lambdas/platform/logger.js';

describe('lambdaEntry', () => {
  it("builds the handler once, and tags each invocation's log lines with its request id and a cold-start flag", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ write: (line) => lines.push(JSON.parse(line)) });
    let built = 0;
    const handler = lambdaEntry(() => {
      built += 1;
      return async (event: { n: number }) => {
        logger.info('handled', { n: event.n });
        return event.n * 2;
      };
    });
    expect(await handler({ n: 1 }, { awsRequestId: 'req-1' })).toBe(2);
    expect(await handler({ n: 2 }, { awsRequestId: 'req-2' })).toBe(4);
    expect(built).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({ message: 'handled', n: 1, request_id: 'req-1', cold_start: true }),
      expect.objectContaining({ message: 'handled', n: 2, request_id: 'req-2', cold_start: false }),
    ]);
  });
});
