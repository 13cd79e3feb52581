/**
 * SANDBOX ONLY (bundles mode): `GET /__sandbox/aws-calls`, the AWS calls the bundles made so far
 * (who, IAM action, resource ARN, how often), the template they came from and the sandbox's
 * resources it was resolved to: what
 * `npm run verify:deploy` evaluates against the roles in that template.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxBundles } from './bundles.js';

export const SANDBOX_AWS_CALLS_PATH = '/__sandbox/aws-calls';

export function awsCallsRoute(bundles: SandboxBundles) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? '/').split('?')[0] !== SANDBOX_AWS_CALLS_PATH) return false;
    res.writeHead(req.method === 'GET' ? 200 : 405, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(
      JSON.stringify(
        req.method === 'GET'
          ? {
              template: bundles.stack.templateFile,
              resources: bundles.resources(),
              calls: bundles.calls(),
              unclassified: bundles.unclassified(),
            }
          : { error: `${SANDBOX_AWS_CALLS_PATH} answers GET only` },
      ),
    );
    return true;
  };
}
