/**
 * What a backfill run costs, counted through the sandbox (the very job the Lambda runs, DynamoDB
 * Local, the simulator over HTTP): a quiet run (nothing in the window: what a line costs at rest),
 * a run that finds every record missed (their webhooks lost), and a run over the same window again
 * (everything already there: what re-reading the overlap costs). DynamoDB requests with the
 * capacity units DynamoDB reports, Sendblue list calls, and the run's time here.
 */
import type { BenchSandbox, MeteredRequest } from './harness.js';
import { MEMBERS } from './payloads.js';

export interface BackfillRunFigures {
  records: number;
  listCalls: number;
  writes: number;
  reads: number;
  writeUnits: number;
  readUnits: number;
  /** By command, e.g. { BatchGetItem: 4, GetItem: 1, Query: 1 }. */
  requests: Record<string, number>;
  ms: number;
}

export interface BackfillFigures {
  quiet: BackfillRunFigures;
  missed: BackfillRunFigures;
  alreadyThere: BackfillRunFigures;
  inbound: number;
  outbound: number;
}

const LIST = '/api/v2/messages';

export async function measureBackfill(
  bench: BenchSandbox,
  options: { inbound?: number; outbound?: number } = {},
): Promise<BackfillFigures> {
  const { sandbox, meter } = bench;
  const sim = sandbox.simulator!;
  const inbound = options.inbound ?? 300;
  const outbound = options.outbound ?? 100;

  const run = async (): Promise<BackfillRunFigures> => {
    const mark = meter.mark();
    const lists = sim.requests.filter((r) => r.path === LIST).length;
    const started = performance.now();
    const report = await sandbox.backfill.runNow();
    const ms = performance.now() - started;
    const seen = meter.since(mark);
    const units = (list: MeteredRequest[]) => list.reduce((sum, r) => sum + (r.units ?? (r.error ? 1 : 0)), 0);
    const requests: Record<string, number> = {};
    for (const r of seen) requests[r.command] = (requests[r.command] ?? 0) + 1;
    return {
      records: report.found,
      listCalls: sim.requests.filter((r) => r.path === LIST).length - lists,
      writes: seen.filter((r) => r.write).length,
      reads: seen.filter((r) => !r.write).length,
      writeUnits: units(seen.filter((r) => r.write)),
      readUnits: units(seen.filter((r) => !r.write)),
      requests,
      ms: Math.round(ms),
    };
  };

  const quiet = await run();
  // Messages only Sendblue has: member replies whose webhooks were lost, and sends made from the
  // line by another app (so our table has none of them yet).
  sim.dropWebhooks({ rate: 1, seed: 1 });
  const groups = [0, 1, 2].map((g) =>
    sim.createGroup(MEMBERS.map((_, m) => `+1555777${g}${String(m).padStart(3, '0')}`)),
  );
  for (let i = 0; i < inbound; i += 1) await sim.memberReply(groups[i % groups.length]!.group_id, `lost reply ${i}`);
  for (let i = 0; i < outbound; i += 1) {
    const response = await fetch(`${sandbox.urls.sendblue}/api/send-group-message`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'sb-api-key-id': bench.config.apiKeyId,
        'sb-api-secret-key': bench.config.apiSecretKey,
      },
      body: JSON.stringify({
        group_id: groups[i % groups.length]!.group_id,
        content: `sent elsewhere ${i}`,
        from_number: bench.config.fromNumber,
      }),
    });
    if (response.status !== 200) throw new Error(`the simulator answered ${response.status} to a send`);
  }
  sim.clearWebhookFaults();
  const missed = await run();
  const alreadyThere = await run();
  return { quiet, missed, alreadyThere, inbound, outbound };
}
