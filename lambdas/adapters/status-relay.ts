import type { Logger } from '../platform/logger.js';
import type { StatusRelay } from '../webhooks/ports.js';

/**
 * Forwards a stored status event to the status_callback a command asked for. Bounded in time and
 * never throws: the webhook has already been stored and must be answered 200 regardless.
 */
export function createStatusRelay(logger: Logger, timeoutMs = 3_000): StatusRelay {
  return async (url, payload) => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok)
        logger.warn('status relay answered an error', { status: response.status, host: new URL(url).host });
    } catch (error) {
      logger.warn('status relay failed', {
        error: error instanceof Error ? error.name : 'unknown',
        host: safeHost(url),
      });
    }
  };
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
