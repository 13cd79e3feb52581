/**
 * SANDBOX ONLY: a request's method and path matched against the deployed API's routes (ROUTES), so
 * the sandbox's HTTP adapter produces the same `routeKey` and `pathParameters` API Gateway would.
 */
import { ROUTES, type RouteDefinition } from '../lambdas/contract/routes.js';

export interface RouteMatch {
  route: RouteDefinition;
  pathParameters: Record<string, string>;
}

/** Matches a concrete method and path (already URL-decoded per segment) against ROUTES. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    if (route.method !== method.toUpperCase()) continue;
    const template = route.path.split('/').filter(Boolean);
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const segment = segments[i] as string;
      if (part.startsWith('{') && part.endsWith('}')) {
        pathParameters[part.slice(1, -1)] = segment;
        return true;
      }
      return part === segment;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}
