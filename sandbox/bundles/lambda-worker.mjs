/**
 * SANDBOX ONLY (bundles mode): one Lambda execution environment in a worker thread. It imports the
 * bundle `cdk synth` wrote (its own copy of process.env, set by lambda-pool.ts, as Lambda gives each
 * function its own), then runs one invocation at a time: the event arrives as JSON, as Lambda
 * delivers it, and the handler gets Lambda's context. Plain JavaScript: it runs under plain Node,
 * as the bundle does in Lambda, with no TypeScript loader.
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { bundleFile, exportName, functionName, memorySize, timeoutSeconds } = workerData;
const loaded = await import(pathToFileURL(bundleFile).href);
const handler = loaded[exportName];
if (typeof handler !== 'function') {
  throw new Error(`${bundleFile} exports no function "${exportName}" (the template's Handler)`);
}

parentPort.on('message', async ({ id, requestId, event }) => {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const context = {
    awsRequestId: requestId,
    functionName,
    functionVersion: '$LATEST',
    memoryLimitInMB: String(memorySize),
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'sandbox',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(JSON.parse(event), context);
    parentPort.postMessage({ id, ok: true, result: result === undefined ? undefined : JSON.stringify(result) });
  } catch (error) {
    const { name = 'Error', message = String(error), stack } = error instanceof Error ? error : {};
    parentPort.postMessage({ id, ok: false, error: { name, message, stack } });
  }
});
parentPort.postMessage({ ready: true });
