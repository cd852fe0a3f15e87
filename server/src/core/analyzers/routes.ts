/** Iteration helpers over the routes of the file being analysed, with their parentRefs resolved. */
import { resolveRoute } from '../bindings/resolve';
import type { ParentResolution } from '../bindings/resolve';
import { isRoute } from '../model/types';
import type { RouteObject } from '../model/types';
import type { AnalysisContext } from './types';

export function routesOf(ctx: AnalysisContext): RouteObject[] {
  return ctx.file.objects.filter(isRoute);
}

/** Each route of the file with every parentRef resolved under the selected profile. */
export function resolvedRoutes(ctx: AnalysisContext): Array<{ route: RouteObject; parents: ParentResolution[] }> {
  return routesOf(ctx).map((route) => ({ route, parents: resolveRoute(ctx.ws, route) }));
}

/** True when the route is recognised by the selected implementation at all. */
export function routeRecognised(ctx: AnalysisContext, route: RouteObject): boolean {
  return !route.linkerdPolicy || ctx.profile.linkerdPolicyRoutes;
}
