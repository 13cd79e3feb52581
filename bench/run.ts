/**
 * `npm run bench`: measures cold start, requests per event, throughput and cost side by side in
 * one run, prints a table with each goal and whether it is met, and writes bench/results.json.
 * Measurements, not tests: nothing here runs under vitest.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { measureBackfill, type BackfillFigures } from './backfill.js';
import { measureColdStart, type ColdStartReport } from './cold-start.js';
import {
  ASSUMPTIONS,
  BACKFILL_ASSUMPTIONS,
  backfillCostModel,
  costModel,
  eventsCostPerMillion,
  mediaCostPerMillion,
  OPERATIONS_ASSUMPTIONS,
  operationsCostModel,
  PRICES,
  STREAM_ASSUMPTIONS,
} from './cost.js';
import { measureEvents, type EventsFigures } from './events.js';
import { startBenchSandbox } from './harness.js';
import { measureProjections, type ProjectionFigures } from './projection.js';
import { measureRequests, type EventCost } from './requests.js';
import { measurePacing, type PacingResult } from './pacing.js';
import { measureOutage, type OutageResult } from './outage.js';
import { measureCommandThroughput, measureWebhookThroughput, type ThroughputResult } from './throughput.js';
import { quietNodeSupportWarning } from '../sandbox/node-support.js';

quietNodeSupportWarning();

interface Row {
  figure: string;
  value: string;
  goal: string;
  met: boolean | null;
}
const rows: Row[] = [];
const row = (figure: string, value: string, goal = '', met: boolean | null = null) =>
  rows.push({ figure, value, goal, met });
const fixed = (value: number, digits = 2) => value.toFixed(digits);
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const started = Date.now();
// `npm run bench -- pacing` runs only the pacing benchmark (about 3 minutes); `-- backfill` only
// the backfill's (its bundle and a few runs, under a minute).
const only = process.argv[2];
if (only === 'backfill') {
  progress('cold start of the backfill handler');
  const coldStart = await measureColdStart({ runs: 21, only: ['backfill'] });
  coldStartRows(coldStart);
  progress('starting DynamoDB Local and the sandbox');
  const bench = await startBenchSandbox();
  let backfill: BackfillFigures;
  try {
    progress('backfill runs: quiet, every record missed, every record already there');
    backfill = await measureBackfill(bench);
  } finally {
    await bench.stop();
  }
  const { DEFAULTS } = await import('../lib/defaults.js');
  const backfillCost = backfillRows(backfill, DEFAULTS);
  mergeIntoResults(
    {
      backfill: {
        ...backfill,
        coldStart: coldStart.handlers[0],
        cost: backfillCost,
        assumptions: BACKFILL_ASSUMPTIONS,
      },
    },
    ['backfill'],
  );
  printRows();
  process.exit(0);
}
// `-- operations`: the cold start of the two bundles that write the new counts, and what operations
// add (alarms and the rest counted in the template, EMF bytes, the cost model): under a minute.
if (only === 'operations') {
  progress('cold start of the ingest and sender handlers (they write the operations counts)');
  const coldStart = await measureColdStart({ runs: 21, only: ['ingest', 'sender'] });
  coldStartRows(coldStart);
  const operations = await operationsRows();
  mergeIntoResults({ operations: { ...operations, coldStart: coldStart.handlers, date: new Date().toISOString() } }, [
    'operations',
    'ingest:',
    'sender:',
  ]);
  printRows();
  process.exit(0);
}
// `-- outage`: a 2-minute Sendblue outage with 500 commands waiting (about 5 minutes).
if (only === 'outage') {
  const { startDynamoDbLocal } = await import('../sandbox/dynamodb-local.js');
  const { findFreePort } = await import('../sandbox/ports.js');
  const dynamo = await startDynamoDbLocal({ port: await findFreePort() });
  try {
    const outage = await runOutage(dynamo.endpoint);
    mergeIntoResults({ outage, outageDate: new Date().toISOString() }, ['outage']);
  } finally {
    await dynamo.stop();
  }
  printRows();
  process.exit(0);
}
// `-- footprint`: the client's install footprint (packs and installs the package: about a minute).
if (only === 'footprint') {
  const footprint = await footprintRows();
  mergeIntoResults({ footprint, footprintDate: new Date().toISOString() }, ['client install footprint']);
  printRows();
  process.exit(0);
}
if (only === 'pacing') {
  const { startDynamoDbLocal } = await import('../sandbox/dynamodb-local.js');
  const { findFreePort } = await import('../sandbox/ports.js');
  const dynamo = await startDynamoDbLocal({ port: await findFreePort() });
  try {
    const pacing = await runPacing(dynamo.endpoint);
    mergeIntoResults({ pacing, pacingDate: new Date().toISOString() }, ['pacing', 'same, pacing off']);
  } finally {
    await dynamo.stop();
  }
  printRows();
  process.exit(0);
}
progress('cold start: bundling the handlers and importing each bundle in fresh node processes');
const coldStart = await measureColdStart({ runs: 21 });
coldStartRows(coldStart);

const { DEFAULTS } = await import('../lib/defaults.js');
progress('starting DynamoDB Local and the sandbox');
const bench = await startBenchSandbox();
let requests: EventCost[];
let projection: ProjectionFigures;
let webhookThroughput: ThroughputResult;
let commandThroughput: ThroughputResult;
let pacing: PacingResult[];
let outage: OutageResult;
let events: EventsFigures;
let backfill: BackfillFigures;
try {
  progress('backfill runs: quiet, every record missed, every record already there');
  backfill = await measureBackfill(bench);
  bench.sandbox.simulator!.reset();
  progress('requests per event');
  requests = await measureRequests(bench);
  progress('events and media from the table stream');
  events = await measureEvents(bench);
  progress('GSI1 projection: ALL, INCLUDE and KEYS_ONLY side by side');
  projection = await measureProjections(bench.dynamo.endpoint);
  progress('webhook throughput');
  webhookThroughput = await measureWebhookThroughput(bench);
  progress('command throughput');
  commandThroughput = await measureCommandThroughput(bench);
  pacing = await runPacing(bench.dynamo.endpoint);
  outage = await runOutage(bench.dynamo.endpoint);
} finally {
  await bench.stop();
}

const find = (prefix: string) => requests.find((r) => r.event.startsWith(prefix))!;
const GOALS: Record<string, { goal: string; met: (r: EventCost) => boolean }> = {
  'inbound webhook, new message': { goal: '1 write', met: (r) => r.writes === 1 },
  'status event': { goal: '<= 2 writes', met: (r) => r.writes <= 2 },
  'send (new group)': { goal: '<= 3 writes, 1 Sendblue call', met: (r) => r.writes <= 3 && r.sendblueCalls === 1 },
  'send (existing group_id)': {
    goal: '<= 3 writes, 1 Sendblue call',
    met: (r) => r.writes <= 3 && r.sendblueCalls === 1,
  },
  add_recipient: { goal: '1 Sendblue call', met: (r) => r.sendblueCalls === 1 },
};
for (const r of requests) {
  const goal = GOALS[r.event];
  row(
    r.event,
    `${r.writes} writes (${r.writeUnits} WU, ${r.indexWriteUnits} in GSI1), ${r.reads} reads (${r.readUnits} RU), ${r.sendblueCalls} Sendblue`,
    goal?.goal ?? '',
    goal ? goal.met(r) : null,
  );
}
for (const [message, byProjection] of Object.entries(projection.writes)) {
  row(
    `GSI1 projection, WU table+index: ${message}`,
    Object.entries(byProjection)
      .map(([label, units]) => `${label} ${units}`)
      .join(', '),
  );
}
row(
  'GSI1 projection, RU of a 50-message timeline page',
  Object.entries(projection.pageReadUnits)
    .map(([label, units]) => `${label} ${units}`)
    .join(', '),
);
for (const t of [webhookThroughput, commandThroughput]) {
  const isWebhook = t === webhookThroughput;
  row(
    `${t.path} / bare`,
    `${fixed(t.ratio)} (${fixed(t.sandboxPerSecond, 0)} vs ${fixed(t.barePerSecond, 0)} /s)`,
    isWebhook ? '>= 0.8' : '',
    isWebhook ? t.ratio >= 0.8 : null,
  );
}

const send = find('send (new group)');
const cost = costModel({
  memoryMb: DEFAULTS.lambda.memorySize,
  webhookWriteUnits: find('inbound webhook, new message').writeUnits,
  sendWriteUnits: send.writeUnits,
  sendReadUnits: send.readUnits,
});
row(
  'cost per 1M inbound webhooks',
  `$${fixed(cost.webhook.ours.total)} (naive $${fixed(cost.webhook.naive.total)})`,
  `<= $${fixed(cost.webhook.goal)}`,
  cost.webhook.ours.total <= cost.webhook.goal,
);
row(
  'cost per 1M group sends',
  `$${fixed(cost.send.ours.total)} (naive $${fixed(cost.send.naive.total)})`,
  `<= $${fixed(cost.send.goal)}`,
  cost.send.ours.total <= cost.send.goal,
);

row(
  'events per new message / per duplicate webhook / per new status',
  `${events.eventsPerNewMessage} / ${events.eventsPerDuplicate} / ${events.eventsPerStatus}`,
  '1 / 0 / 1',
  events.eventsPerNewMessage === 1 && events.eventsPerDuplicate === 0 && events.eventsPerStatus === 1,
);
row(
  'ingest writes per new message with events and media on',
  fixed(events.ingestWritesPerMessage),
  '1',
  events.ingestWritesPerMessage === 1,
);
row(
  'event size (mean, as EventBridge counts it); webhook 200 -> event out, sandbox (median, p95)',
  `${events.meanEventBytes} B; ${events.latencyMs.median} ms, ${events.latencyMs.p95} ms`,
);
row(
  'media copy: write units of recording it on the message',
  `${events.mediaRecordWriteUnits} WU (${events.mediaCopies} copies)`,
);
const stream = {
  eventsMemoryMb: DEFAULTS.lambda.memorySize,
  mediaMemoryMb: DEFAULTS.media.memorySize,
  eventBytes: events.meanEventBytes,
  mediaRecordWriteUnits: events.mediaRecordWriteUnits,
};
const eventsCost = eventsCostPerMillion(stream);
const mediaCost = mediaCostPerMillion(stream);
row(
  'cost per 1M events published (archive storage per month)',
  `$${fixed(eventsCost.total)} ($${fixed(eventsCost.atRestPerMonth)})`,
);
row(
  'cost per 1M media copies of 1 MB (storage per month)',
  `$${fixed(mediaCost.total)} ($${fixed(mediaCost.atRestPerMonth)})`,
);
const backfillCost = backfillRows(backfill, DEFAULTS);
const operations = await operationsRows();
const footprint = await footprintRows();

printRows();
console.log(
  `\nnode ${process.version} (Lambda runs Node 24); prices: ${PRICES.date}; run took ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
console.log(
  `cost breakdown per 1M: webhook ${JSON.stringify(cost.webhook.ours)}; send ${JSON.stringify(cost.send.ours)}`,
);

writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      note: 'Ratios are measured side by side in the same run. Import time uses the local node, not the Lambda Node 24 runtime.',
      rows,
      coldStart,
      requests,
      projection,
      throughput: [webhookThroughput, commandThroughput],
      pacing,
      outage,
      events,
      backfill: {
        ...backfill,
        coldStart: coldStart.handlers.find((h) => h.handler === 'backfill'),
        cost: backfillCost,
        assumptions: BACKFILL_ASSUMPTIONS,
      },
      operations,
      footprint,
      cost: {
        ...cost,
        events: eventsCost,
        media: mediaCost,
        prices: PRICES,
        assumptions: ASSUMPTIONS,
        streamAssumptions: STREAM_ASSUMPTIONS,
        memoryMb: DEFAULTS.lambda.memorySize,
      },
    },
    null,
    2,
  )}\n`,
);
console.log('written bench/results.json');

async function runPacing(dynamoDbEndpoint: string): Promise<PacingResult[]> {
  const results: PacingResult[] = [];
  for (const paced of [true, false]) {
    progress(
      `pacing: 100 commands in 50 groups on one line at 1/s, bursts of 10 (${paced ? 'paced' : 'unpaced baseline'}; about 100 s)`,
    );
    const result = await measurePacing(dynamoDbEndpoint, { paced });
    results.push(result);
    const label = paced ? 'pacing: 100 commands, 50 groups, one line' : 'same, pacing off (baseline)';
    row(
      `${label}: time / physical limit (100 s)`,
      `${fixed(result.ratio)} (${fixed(result.seconds, 1)} s; with the free burst the limit is ${result.physicalSecondsWithBurst} s)`,
      paced ? '<= 1.2' : '',
      paced ? result.ratio <= 1.2 : null,
    );
    row(
      `${label}: sent / failed / on the DLQ / order violations`,
      `${result.sent} / ${result.failed} / ${result.deadLettered} / ${result.orderViolations}`,
      paced ? '100 / 0 / 0 / 0' : '',
      paced
        ? result.sent === 100 && result.failed === 0 && result.deadLettered === 0 && result.orderViolations === 0
        : null,
    );
    row(
      `${label}: Sendblue send calls (429s), deliveries per command`,
      `${result.sendblueSendCalls} (${result.throttled}), ${fixed(result.deliveriesPerCommand, 1)}`,
      paced ? '<= 5 429s' : '',
      paced ? result.throttled <= 5 : null,
    );
  }
  return results;
}

async function runOutage(dynamoDbEndpoint: string): Promise<OutageResult> {
  progress('outage: Sendblue refuses connections for 2 minutes while 500 commands in 50 groups wait (about 5 minutes)');
  const result = await measureOutage(dynamoDbEndpoint);
  const label = `outage: ${result.commands} commands, ${result.groups} groups, one line at ${result.ratePerSecond}/s`;
  row(
    `${label}: calls to Sendblue during a ${fixed(result.outageSeconds, 0)} s outage per waiting command`,
    `${fixed(result.callsPerWaitingCommand, 3)} (${result.callsDuringOutage} calls, all refused)`,
    '< 0.1',
    result.callsPerWaitingCommand < 0.1,
  );
  row(
    `${label}: recovery to the last send / physical limit (${fixed(result.physicalSeconds, 0)} s)`,
    `${fixed(result.ratio)} (${fixed(result.drainSeconds, 1)} s; with the free burst the limit is ${fixed(result.physicalSecondsWithBurst, 0)} s)`,
    '<= 1.2',
    result.ratio <= 1.2,
  );
  const all = result.commands;
  row(
    `${label}: sent / sent other than once / failed / on the DLQ / order violations`,
    `${result.sent} / ${result.notOnce} / ${result.failed} / ${result.deadLettered} / ${result.orderViolations}`,
    `${all} / 0 / 0 / 0 / 0`,
    result.sent === all &&
      result.notOnce === 0 &&
      result.failed === 0 &&
      result.deadLettered === 0 &&
      result.orderViolations === 0,
  );
  row(
    `${label}: 429s after recovery, deliveries per command`,
    `${result.throttled}, ${fixed(result.deliveriesPerCommand, 1)}`,
  );
  return result;
}

function coldStartRows(report: ColdStartReport): void {
  for (const h of report.handlers) {
    row(
      `${h.handler}: bundle size`,
      `${(h.bundle.bytes / 1024).toFixed(0)} KiB (${(h.bundle.gzipBytes / 1024).toFixed(0)} KiB gzip); SDK-only ${(h.sdkOnly.bytes / 1024).toFixed(0)} KiB`,
    );
    row(
      `${h.handler}: import time / SDK clients alone`,
      `${fixed(h.ratioToSdk)} (${fixed(h.bundle.importMs, 1)} / ${fixed(h.sdkOnly.importMs, 1)} ms)`,
      '<= 1.15',
      h.ratioToSdk <= 1.15,
    );
    row(
      `${h.handler}: import time / empty handler`,
      `${fixed(h.ratioToEmpty, 1)} (empty ${fixed(report.empty.importMs, 1)} ms)`,
    );
  }
}

/** The backfill's rows (runs and cost); returns the cost model's figures. */
function backfillRows(
  b: BackfillFigures,
  defaults: { lambda: { memorySize: number }; backfill: { intervalMinutes: number; overlapMinutes: number } },
) {
  const per = (value: number, records: number) => fixed(value / records, 2);
  const requests = (r: BackfillFigures['quiet']) =>
    Object.entries(r.requests)
      .map(([name, n]) => `${n} ${name}`)
      .join(', ');
  row(
    'backfill run, nothing in the window (a line at rest)',
    `${b.quiet.listCalls} list call; ${requests(b.quiet)}; ${b.quiet.readUnits} RU, ${b.quiet.writes} writes; ${b.quiet.ms} ms here`,
  );
  row(
    `backfill run, ${b.missed.records} records all missed (${b.inbound} inbound, ${b.outbound} outbound)`,
    `${b.missed.listCalls} list calls; per record ${per(b.missed.writes, b.missed.records)} writes (${per(b.missed.writeUnits, b.missed.records)} WU), ${per(b.missed.readUnits, b.missed.records)} RU; ${b.missed.ms} ms here`,
  );
  row(
    `backfill run, the same ${b.alreadyThere.records} records already there`,
    `${b.alreadyThere.listCalls} list calls; ${requests(b.alreadyThere)}; per record ${per(b.alreadyThere.readUnits, b.alreadyThere.records)} RU, ${b.alreadyThere.writes} writes; ${b.alreadyThere.ms} ms here`,
    '0 writes',
    b.alreadyThere.writes === 0,
  );
  const model = backfillCostModel({
    memoryMb: defaults.lambda.memorySize,
    intervalMinutes: defaults.backfill.intervalMinutes,
    overlapMinutes: defaults.backfill.overlapMinutes,
    quietRunReadUnits: b.quiet.readUnits,
    readUnitsPerRecord: b.alreadyThere.readUnits / b.alreadyThere.records,
  });
  row(
    'backfill cost per line per month, at rest',
    `$${fixed(model.atRestPerLinePerMonth.total)} (of it metrics $${fixed(model.atRestPerLinePerMonth.metrics)})`,
  );
  row(
    'backfill cost per 1M messages on a line',
    `$${fixed(model.perMillionMessages.total)} (each read ${fixed(model.perMillionMessages.readsPerRecord, 1)} times)`,
  );
  return model;
}

/** The client's install footprint (docs/embedding.md): node_modules of an app that installs only the package. */
async function footprintRows() {
  progress('client install footprint: npm pack (builds), install into a fresh app, import the client');
  const { FOOTPRINT_GOAL_BYTES, measureFootprint } = await import('./footprint.js');
  const f = await measureFootprint();
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  row(
    'client install footprint: node_modules of an app importing only the client (du; files own size)',
    `${mb(f.diskBytes)} (${mb(f.apparentBytes)}); ${f.packages.length} packages, ${f.files} files; of it sendblue-groups ${mb(f.ownDiskBytes)}`,
    `< ${mb(FOOTPRINT_GOAL_BYTES)}`,
    f.diskBytes < FOOTPRINT_GOAL_BYTES,
  );
  return f;
}

/** Operations' rows (docs/operations.md): what the template holds, EMF bytes, the cost model. */
async function operationsRows() {
  progress('operations: alarms, dashboard and key in the synthesized template; EMF bytes');
  const { measureOperations } = await import('./operations.js');
  const figures = measureOperations();
  const r = figures.resources;
  row(
    'operations: alarms / dashboards / KMS keys (defaults, one line)',
    `${r.defaults!.alarms} / ${r.defaults!.dashboards} / ${r.defaults!.kmsKeys}; two lines: ${r['two lines']!.alarms} alarms; alarms off: ${r['alarms off']!.alarms} alarms, ${r['alarms off']!.kmsKeys} keys; dashboard off: ${r['dashboard off']!.dashboards} dashboards`,
  );
  row(
    'operations: EMF bytes per new inbound webhook / other webhook / sender batch (Lambda prefix included)',
    `${figures.emfBytes.newInboundWebhook} / ${figures.emfBytes.otherWebhook} / ${figures.emfBytes.sentCommandBatch}`,
  );
  const cost = operationsCostModel({
    ...r.defaults!,
    lines: 1,
    newMetrics: figures.newMetrics,
    emfBytes: figures.emfBytes,
  });
  row(
    'operations cost per month at rest (alarms, dashboard, key)',
    `$${fixed(cost.atRestPerMonth.total)} ($${fixed(cost.atRestPerMonth.alarms)} + $${fixed(cost.atRestPerMonth.dashboard)} + $${fixed(cost.atRestPerMonth.kmsKey)}); new metrics $0 at rest, $${fixed(cost.metricsPerMonth.busy)} busy, $${fixed(cost.metricsPerMonth.atMost)} at most`,
  );
  row(
    'operations cost per 1M: new inbound webhooks / other webhooks / commands (EMF log bytes)',
    `$${fixed(cost.logsPerMillion.newInboundWebhooks)} / $${fixed(cost.logsPerMillion.otherWebhooks)} / $${fixed(cost.logsPerMillion.commands)}`,
  );
  return { ...figures, cost, assumptions: OPERATIONS_ASSUMPTIONS };
}

/** Adds to bench/results.json without dropping what an earlier full run wrote there (rows starting with `replaced` are replaced). */
function mergeIntoResults(extra: Record<string, unknown>, replaced: string[]): void {
  const url = new URL('./results.json', import.meta.url);
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
  } catch {
    // no earlier results
  }
  const keep = ((previous.rows as Row[] | undefined) ?? []).filter(
    (r) => !replaced.some((prefix) => r.figure.startsWith(prefix)),
  );
  writeFileSync(url, `${JSON.stringify({ ...previous, ...extra, rows: [...keep, ...rows] }, null, 2)}\n`);
  console.log('merged into bench/results.json');
}

function printRows(): void {
  const width = (key: keyof Row) => Math.max(key.length, ...rows.map((r) => String(r[key] ?? '').length));
  const widths = { figure: width('figure'), value: width('value'), goal: width('goal') };
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(widths.figure)} | ${b.padEnd(widths.value)} | ${c.padEnd(widths.goal)} | ${d}`;
  console.log(line('figure', 'value', 'goal', 'met'));
  console.log(line('-'.repeat(widths.figure), '-'.repeat(widths.value), '-'.repeat(widths.goal), '---'));
  for (const r of rows) console.log(line(r.figure, r.value, r.goal, r.met === null ? '' : r.met ? 'yes' : 'NO'));
}
