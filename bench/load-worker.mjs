/**
 * The webhook load generator in its own thread (plain JS: tsx does not reach worker threads on
 * Node 20): N concurrent keep-alive clients POST fresh inbound webhooks and report the rate.
 * Sendblue is not on our CPU in AWS, so the clients should not share the sandbox's event loop.
 * workerData: { url, secret, total, concurrency, groups, base } (base: the receive fixture).
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const job = workerData;
const agent = new Agent({ keepAlive: true });
let sequence = 0;
const post = (groupId) =>
  new Promise((resolve, reject) => {
    sequence += 1;
    const payload = JSON.stringify({
      ...job.base,
      group_id: groupId,
      message_handle: `bench-${randomUUID()}`,
      date_sent: new Date(Date.UTC(2026, 10, 21, 0, 0, 0, sequence) + job.offsetMs).toISOString(),
    });
    const req = request(
      job.url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'sb-signing-secret': job.secret,
        },
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`webhook answered ${res.statusCode}`)),
        );
      },
    );
    req.once('error', reject);
    req.end(payload);
  });

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: job.concurrency }, async () => {
    while (next < job.total) {
      const i = next++;
      await post(job.groups[i % job.groups.length]);
    }
  }),
);
parentPort.postMessage(job.total / ((performance.now() - started) / 1000));
agent.destroy();
