/**
 * Route selection as API Gateway's HTTP APIs do it, over the template's route keys: the most
 * specific route wins (a literal segment before `{param}`, `{param}` before a greedy `{proxy+}`,
 * a method before ANY), and `$default` takes what no route matches. A route the template lacks
 * is a 404, as in AWS.
 */
import type { TwinRoute } from './assembly';

export interface RouteMatch {
  route: TwinRoute;
  pathParameters?: Record<string, string>;
}

/** How specific a matched route is: higher wins. */
type Score = number[];

function matchPath(pattern: string, path: string): { params: Record<string, string>; score: Score } | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  const score: Score = [];
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] ?? '';
    const greedy = /^\{(.+)\+\}$/.exec(segment);
    if (greedy?.[1]) {
      if (i >= got.length) return undefined;
      params[greedy[1]] = got.slice(i).map(decodeURIComponent).join('/');
      score.push(0);
      return { params, score };
    }
    const value = got[i];
    if (value === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(segment);
    if (param?.[1]) {
      params[param[1]] = decodeURIComponent(value);
      score.push(1);
    } else if (segment === value) score.push(2);
    else return undefined;
  }
  return got.length === want.length ? { params, score } : undefined;
}

const better = (a: Score, b: Score) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d > 0;
  }
  return false;
};

export function matchTemplateRoute(routes: TwinRoute[], method: string, path: string): RouteMatch | undefined {
  let best: { match: RouteMatch; score: Score } | undefined;
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    const [routeMethod, pattern] = route.routeKey.split(' ');
    if (!pattern || (routeMethod !== method && routeMethod !== 'ANY')) continue;
    const matched = matchPath(pattern, path);
    if (!matched) continue;
    const score = [...matched.score, routeMethod === 'ANY' ? 0 : 1];
    if (!best || better(score, best.score)) best = { match: { route, ...(Object.keys(matched.params).length ? { pathParameters: matched.params } : {}) }, score };
  }
  if (best) return best.match;
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback } : undefined;
}
