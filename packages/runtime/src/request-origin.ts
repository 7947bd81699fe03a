import type { HttpEvent } from './http-function';

/**
 * The address a request came to: API Gateway's Host (the custom domain when the API has one) and
 * X-Forwarded-Proto (the local runtime sets both as API Gateway does). A Host that is not a
 * plain host[:port] is not echoed.
 */
export function requestOrigin(event: HttpEvent): string | undefined {
  const host = [event.headers?.host, event.requestContext?.domainName].find((h) => h && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(h));
  if (!host) return undefined;
  const proto = event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return `${proto}://${host}`;
}
