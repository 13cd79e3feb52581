/**
 * Sandbox-only routes on the API server (through createApiServer's `extraRoutes`): the web page at
 * `/`, and what it needs beyond the read API:
 *   GET /__sandbox/groups                   every group with its newest message, every command that
 *                                           was not done (`failed`: ledger + DLQ), and the lines
 *                                           paused by a Sendblue outage (`paused_lines`)
 *   GET /__sandbox/groups/{id}/changes      the group's member and name changes (event log)
 * Conversations themselves are read through the ordinary read API (`/groups/{id}`,
 * `/groups/{id}/messages`), as any client would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { idProblem } from '../../lambdas/contract/ids.js';
import type { Logger } from '../../lambdas/platform/logger.js';
import type { ListFailedCommands } from '../failed-commands.js';
import type { ListGroupChanges } from '../group-changes.js';
import type { ListGroups } from '../group-list.js';
import type { ListPausedLines } from '../line-pauses.js';
import { pageHtml } from './html.js';
import type { PageOptions } from './script.js';

export const SANDBOX_GROUPS_PATH = '/__sandbox/groups';
const CHANGES_PATH = /^\/__sandbox\/groups\/([^/]+)\/changes$/;

export interface SandboxPageDeps {
  listGroups: ListGroups;
  listFailedCommands: ListFailedCommands;
  listGroupChanges: ListGroupChanges;
  listPausedLines: ListPausedLines;
  page: PageOptions;
  logger: Logger;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function sandboxPageRoutes(deps: SandboxPageDeps) {
  const html = pageHtml(deps.page);
  const answer = (res: ServerResponse, what: string, read: () => Promise<unknown>) => {
    read().then(
      (body) => json(res, 200, body),
      (error: unknown) => {
        deps.logger.error(`${what} failed`, { error });
        json(res, 503, { error: `the ${what} could not be read` });
      },
    );
  };
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET') return false;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return true;
    }
    if (path === SANDBOX_GROUPS_PATH) {
      answer(res, 'group list', async () => {
        const [groups, failed, paused_lines] = await Promise.all([
          deps.listGroups(),
          deps.listFailedCommands(),
          deps.listPausedLines(),
        ]);
        return { groups, failed, paused_lines };
      });
      return true;
    }
    const changes = CHANGES_PATH.exec(path);
    if (changes) {
      let groupId = '';
      try {
        groupId = decodeURIComponent(changes[1]!);
      } catch {
        groupId = '';
      }
      const problem = groupId ? idProblem(groupId) : 'must be valid percent-encoding';
      if (problem) {
        json(res, 400, { error: `group_id ${problem}` });
        return true;
      }
      answer(res, 'group changes', async () => {
        const list = await deps.listGroupChanges(groupId);
        return { changes: list ?? [], events: list !== null };
      });
      return true;
    }
    return false;
  };
}
