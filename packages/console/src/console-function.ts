/**
 * The console's Lambda handler: each console route (contract/routes/console.ts) answers its
 * asset with its headers. No key, no tables, no config: the page holds no tenant data, and
 * every call it makes carries the admin API key the person enters.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorCatalogue } from '@twofold/contract/errors';
import { routeKeyOf, type RouteDefinition } from '@twofold/contract/route-definition';
import type { consoleRoutes } from '@twofold/contract/routes/console';
import { consoleAssets, type ConsoleAssets } from './assets';
import { assetHeaders, pageHeaders } from './headers';

type ConsoleOperation = (typeof consoleRoutes)[number]['operationId'];

/** Which built asset each route serves. */
const assetOf: Record<ConsoleOperation, Exclude<keyof ConsoleAssets, 'version'>> = {
  consolePage: 'page',
  consoleScript: 'script',
  consoleStyles: 'styles',
  consoleIcon: 'icon',
  favicon: 'icon',
};

export function consoleFunction(routes: readonly RouteDefinition[], assets: ConsoleAssets = consoleAssets) {
  const responses = new Map<string, APIGatewayProxyStructuredResultV2>();
  for (const r of routes) {
    const asset = assetOf[r.operationId as ConsoleOperation];
    if (!asset || !r.content) throw new Error(`the console serves no asset for ${r.operationId}`);
    const headers = asset === 'page' ? { ...pageHeaders } : assetHeaders(`${r.content}; charset=utf-8`);
    responses.set(routeKeyOf(r), { statusCode: 200, headers, body: assets[asset] });
  }
  return async (event: Pick<APIGatewayProxyEventV2, 'routeKey'>): Promise<APIGatewayProxyStructuredResultV2> =>
    responses.get(event.routeKey) ?? { statusCode: errorCatalogue.not_found.status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify({ error: { code: 'not_found', message: errorCatalogue.not_found.message } }) };
}
