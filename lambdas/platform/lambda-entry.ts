/**
 * The Lambda entry of each handler: builds the handler once per container (on the first
 * invocation) and tags every log line of an invocation with Lambda's request id and whether the
 * container was cold (docs/operations.md "Logs"). The sandbox calls the handlers directly, without this.
 */
export interface InvocationContext {
  awsRequestId?: string;
}

let current: { request_id?: string; cold_start?: boolean } = {};
let warm = false;

/** Fields the logger adds to every entry during the current invocation (none outside Lambda). */
export const invocationFields = (): { request_id?: string; cold_start?: boolean } => current;

export function beginInvocation(context: InvocationContext | undefined): void {
  current = { request_id: context?.awsRequestId, cold_start: !warm };
  warm = true;
}

export function lambdaEntry<E, R>(
  create: () => (event: E) => Promise<R>,
): (event: E, context?: InvocationContext) => Promise<R> {
  let handler: ((event: E) => Promise<R>) | undefined;
  return (event, context) => {
    beginInvocation(context);
    handler ??= create();
    return handler(event);
  };
}
