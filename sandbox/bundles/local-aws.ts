/**
 * SANDBOX ONLY: the two AWS services the bundles call that have no local emulator here, answering
 * the AWS JSON 1.1 protocol their SDK clients speak: Secrets Manager's GetSecretValue (serving the
 * sandbox's secrets, the same values sandbox/static-secrets.ts gives the source mode) and
 * EventBridge's PutEvents (into the sandbox's event log). Served by the recording proxy (aws-proxy.ts).
 */
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../../lambdas/events/domain-events.js';

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** A JSON-protocol operation's answer, from the operation name and the parsed request body. */
export type JsonService = (operation: string, body: Record<string, unknown>) => Promise<JsonAnswer>;

/** AWS's error shape for the JSON protocols (`__type` is what the SDK reads the error's name from). */
export const awsError = (status: number, type: string, message: string): JsonAnswer => ({
  status,
  body: { __type: type, message },
});

/** GetSecretValue (and DescribeSecret) for the secrets given, by ARN or by name. */
export function secretsManagerStandIn(secrets: () => Map<string, string>): JsonService {
  const find = (id: string): [string, string] | undefined => {
    const all = secrets();
    const value = all.get(id);
    if (value !== undefined) return [id, value];
    // By name: the ARN's name part without the 6-character suffix Secrets Manager adds.
    return [...all].find(([arn]) => arn.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, '') === id);
  };
  return async (operation, body) => {
    if (operation !== 'GetSecretValue' && operation !== 'DescribeSecret') {
      return awsError(400, 'InvalidRequestException', `the sandbox's Secrets Manager answers GetSecretValue only`);
    }
    const id = body.SecretId;
    if (typeof id !== 'string' || !id) return awsError(400, 'InvalidParameterException', 'SecretId is required');
    const found = find(id);
    if (!found) return awsError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const [arn, value] = found;
    const name = arn.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, '') ?? arn;
    const common = { ARN: arn, Name: name, CreatedDate: 1_767_225_600 };
    if (operation === 'DescribeSecret') return { status: 200, body: common };
    return {
      status: 200,
      body: { ...common, SecretString: value, VersionId: 'sandbox-version', VersionStages: ['AWSCURRENT'] },
    };
  };
}

/** PutEvents onto one bus (by name or ARN): each entry reaches `publish` as the domain event it carries. */
export function eventBridgeStandIn(
  bus: { name: string; arn: string },
  publish: (events: DomainEvent[]) => void,
): JsonService {
  return async (operation, body) => {
    if (operation !== 'PutEvents') {
      return awsError(400, 'UnknownOperationException', `the sandbox's EventBridge answers PutEvents only`);
    }
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      return awsError(400, 'ValidationException', 'Entries must hold 1 to 10 entries');
    }
    const accepted: DomainEvent[] = [];
    const results = entries.map((entry: Record<string, unknown>) => {
      const target = typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default';
      if (target !== bus.name && target !== bus.arn) {
        return { ErrorCode: 'NotFoundException', ErrorMessage: `Event bus ${target} does not exist.` };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(String(entry.Detail));
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (
        !detail ||
        typeof detail !== 'object' ||
        typeof entry.DetailType !== 'string' ||
        typeof entry.Source !== 'string'
      ) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and an object Detail are required.' };
      }
      accepted.push({
        detailType: entry.DetailType,
        detail: detail as Record<string, unknown>,
        // The SDK sends Time as epoch seconds with the milliseconds as a fraction (1795194251.512):
        // rounded, so a product like 1795194251511.9998 is not cut to the millisecond before.
        time: typeof entry.Time === 'number' ? new Date(Math.round(entry.Time * 1000)).toISOString() : undefined,
      } as DomainEvent);
      return { EventId: randomUUID() };
    });
    publish(accepted);
    return {
      status: 200,
      body: { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results },
    };
  };
}
