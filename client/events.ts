/**
 * The sandbox's event log (`GET /__sandbox/events`): what the stack would put on its EventBridge bus,
 * read back as JSON or followed as server-sent events. In AWS there is nothing to pull: events go to
 * the bus, and an EventBridge rule delivers them to your target (docs/events.md).
 */
import { SANDBOX_EVENTS_PATH, type EventEnvelope, type SandboxEventsPage } from '../lambdas/contract/sandbox.js';
import { RemoteError, unreachableMessage } from './reader.js';
import { TargetError, type Target } from './target.js';

export type { EventEnvelope } from '../lambdas/contract/sandbox.js';

function sandboxOnly(target: Target): void {
  if (target.kind !== 'sandbox') {
    throw new TargetError(
      "events are read from the sandbox's local log; a deployed stack publishes them to its EventBridge bus " +
        '(output EventBusName): subscribe with an EventBridge rule (docs/events.md)',
      false,
    );
  }
}

async function open(target: Target, query: string, signal?: AbortSignal): Promise<Response> {
  sandboxOnly(target);
  let response: Response;
  const url = `${target.apiUrl}${SANDBOX_EVENTS_PATH}?${query}`;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new RemoteError(unreachableMessage(target, url, error));
  }
  if (!response.ok) {
    const text = await response.text();
    throw new RemoteError(
      `${SANDBOX_EVENTS_PATH} answered ${response.status}: ${(() => {
        try {
          return JSON.parse(text).error;
        } catch {
          return text.slice(0, 200);
        }
      })()}`,
      response.status,
    );
  }
  return response;
}

/** Events after position `after` (0: all the sandbox kept), and the position of the last one. */
export async function listEvents(target: Target, after = 0): Promise<SandboxEventsPage> {
  return (await open(target, `after=${after}`)).json() as Promise<SandboxEventsPage>;
}

/** Events after position `after`, then each new one as it is published, until `signal` aborts or the sandbox stops. */
export async function* followEvents(
  target: Target,
  options: { after?: number; signal?: AbortSignal } = {},
): AsyncGenerator<{ seq: number; event: EventEnvelope }> {
  const response = await open(target, `follow=1&after=${options.after ?? 0}`, options.signal);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) yield { seq: Number(id), event: JSON.parse(data) as EventEnvelope };
      }
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
  }
}
