/**
 * The media Lambda's one sandbox switch (bundles mode fetches the simulator's http://127.0.0.1
 * media): honoured only when the SDK's endpoint is on 127.0.0.1 too, which no Lambda in AWS has.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '../../../../lambdas/contract/env.js';
import { sandboxLoopbackMedia } from '../../../../lambdas/wiring/media-deps.js';

describe('sandboxLoopbackMedia', () => {
  it('is on only with the switch and every AWS call on 127.0.0.1', () => {
    const on = { [ENV.sandboxLoopbackMedia]: 'allow', AWS_ENDPOINT_URL: 'http://127.0.0.1:4567' };
    expect(sandboxLoopbackMedia(on)).toBe(true);
    expect(sandboxLoopbackMedia({ ...on, AWS_ENDPOINT_URL: undefined })).toBe(false);
    expect(sandboxLoopbackMedia({ ...on, AWS_ENDPOINT_URL: 'https://s3.us-east-1.amazonaws.com' })).toBe(false);
    expect(sandboxLoopbackMedia({ ...on, AWS_ENDPOINT_URL: 'http://127.0.0.1.evil.example:80' })).toBe(false);
    expect(sandboxLoopbackMedia({ ...on, [ENV.sandboxLoopbackMedia]: 'true' })).toBe(false);
    expect(sandboxLoopbackMedia({})).toBe(false);
  });
});
