/**
 * Turns a Node HTTP request into the API Gateway HTTP API (payload 2.0) event the functions
 * get in AWS, so the local server runs the very same handlers.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { HttpEvent } from '@twofold/runtime';

export function toApiGatewayEvent(
  req: IncomingMessage,
  url: URL,
  body: string,
  routing: { routeKey: string; pathParameters?: Record<string, string> },
  nowMs: number,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // API Gateway tells the function the scheme it was called with; here it is plain HTTP
  headers['x-forwarded-proto'] = 'http';
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    version: '2.0',
    routeKey: routing.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(routing.pathParameters ? { pathParameters: routing.pathParameters } : {}),
    // API Gateway (payload 2.0) hands the Cookie header over as `cookies`, one entry per cookie
    ...(headers.cookie ? { cookies: headers.cookie.split(';').map((c) => c.trim()).filter(Boolean) } : {}),
    ...(body ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: routing.routeKey,
      stage: '$default',
      time: new Date(nowMs).toUTCString(),
      timeEpoch: nowMs,
    },
  };
}
