/**
 * Runs the backfill now (docs/backfill.md): in the sandbox through its route
 * `POST /__sandbox/backfill`; for a deployed stack by invoking its backfill function
 * (`BackfillFunctionName`) synchronously with the default AWS credentials. Either way the answer
 * is the run's report: per line what was found, stored and already there, and the sweep of
 * unknown commands.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { BackfillReport } from '../lambdas/contract/backfill-report.js';
import { SANDBOX_BACKFILL_PATH } from '../lambdas/contract/sandbox.js';
import { RemoteError, unreachableMessage } from './reader.js';
import { quietDefaultProvider, quietly } from './sdk-warning.js';
import type { Target } from './target.js';

export type { BackfillReport };

export async function runBackfill(target: Target, options: { lambda?: LambdaClient } = {}): Promise<BackfillReport> {
  return target.kind === 'sandbox' ? viaSandbox(target) : viaLambda(target, options.lambda);
}

async function viaSandbox(target: Target): Promise<BackfillReport> {
  let response: Response;
  const url = `${target.apiUrl}${SANDBOX_BACKFILL_PATH}`;
  try {
    response = await fetch(url, { method: 'POST' });
  } catch (error) {
    throw new RemoteError(unreachableMessage(target, url, error));
  }
  const body = (await response.json().catch(() => undefined)) as (BackfillReport & { error?: string }) | undefined;
  if (!response.ok || !body)
    throw new RemoteError(
      `the backfill did not run on ${target.label}: HTTP ${response.status}${body?.error ? `: ${body.error}` : ''}`,
      response.status,
    );
  return body;
}

async function viaLambda(target: Target, given?: LambdaClient): Promise<BackfillReport> {
  if (!target.backfillFunctionName) {
    throw new RemoteError(
      `${target.label} has no backfill function: deploy this version (output BackfillFunctionName), or set SENDBLUE_GROUPS_BACKFILL_FUNCTION`,
    );
  }
  const lambda =
    given ??
    quietly(() => new LambdaClient({ region: target.region, credentialDefaultProvider: quietDefaultProvider }));
  try {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: target.backfillFunctionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify({ source: 'sendblue-groups cli' })),
      }),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError) {
      const detail = (JSON.parse(text || '{}') as { errorMessage?: string }).errorMessage ?? out.FunctionError;
      throw new RemoteError(`the backfill function failed: ${detail}`);
    }
    return JSON.parse(text) as BackfillReport;
  } catch (error) {
    if (error instanceof RemoteError) throw error;
    throw new RemoteError(
      `could not run the backfill of ${target.label}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    if (!given) lambda.destroy();
  }
}
