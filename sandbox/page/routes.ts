/**
 * Sandbox-only routes on the API server (through createApiServer's `extraRoutes`): the web page at
 * `/` and the JSON list of groups it needs at `/__sandbox/groups`. Conversations themselves are
 * read through the ordinary read API (`/groups/{id}`, `/groups/{id}/messages`), as any client would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../lambdas/platform/logger';
import type { ListGroups } from '../group-list';
import { PAGE_HTML } from './html';

const SANDBOX_GROUPS_PATH = '/__sandbox/groups';

export function sandboxPageRoutes(deps: { listGroups: ListGroups; logger: Logger }) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET') return false;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(PAGE_HTML);
      return true;
    }
    if (path === SANDBOX_GROUPS_PATH) {
      deps.listGroups().then(
        (groups) => {
          const body = JSON.stringify({ groups });
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(body);
        },
        (error: unknown) => {
          deps.logger.error('group list failed', { error });
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'the group list could not be read' }));
        },
      );
      return true;
    }
    return false;
  };
}
