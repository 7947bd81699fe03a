/**
 * The prompt's pages as a Lambda handler: GET shows the step the prompt is at, POST takes one
 * of its forms (CSRF-checked in the core) and answers the next page or a 303 (to the page again,
 * or back to the app). Everything a page is told comes from the core's prompt use cases
 * (core/login/prompts.ts); this is HTTP only: cookies, the form's decoding, the headers, the language.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routeKeyOf, type RouteDefinition } from '@twofold/contract/route-definition';
import { PromptForm, PromptPath } from '@twofold/contract/schemas';
import { DomainError } from '@twofold/core/errors';
import { openPrompt, promptAction, promptScreen, type OpenedPrompt, type PromptDeps, type PromptOutcome, type PromptVisitor } from '@twofold/core/login/prompts';
import type { HttpEvent } from '@twofold/runtime/http-function';
import { toErrorResponse } from '@twofold/runtime/http-errors';
import { acceptedLocale, messagesOf } from './messages';
import { pageHeaders } from './headers';
import { demoAssets } from './style';
import { renderScreen, renderUnavailable, type Frame } from './views';

/** The cookie that binds a prompt to the browser that opened it (its path: that prompt's pages only). */
const BROWSER_COOKIE = 'twofold_prompt';
/** A remembered device's token, per tenant and user (the path: every prompt). */
const deviceCookie = (tenantId: string, userId: string) => `twofold_device_${createHash('sha256').update(`${tenantId}\n${userId}`).digest('base64url').slice(0, 16)}`;

function cookiesOf(event: HttpEvent): Map<string, string> {
  const raw = event.cookies ?? (event.headers?.cookie ?? '').split(';');
  const jar = new Map<string, string>();
  for (const c of raw) {
    const at = c.indexOf('=');
    if (at > 0) jar.set(c.slice(0, at).trim(), c.slice(at + 1).trim());
  }
  return jar;
}

const secure = (event: HttpEvent) => event.headers?.['x-forwarded-proto'] !== 'http';
const cookie = (event: HttpEvent, name: string, value: string, path: string, maxAgeSeconds: number) =>
  `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure(event) ? '; Secure' : ''}`;

function formOf(event: HttpEvent): unknown {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  return Object.fromEntries(new URLSearchParams(raw));
}

/** What the page's frame needs of the tenant: its branding (policy.hostedPrompt.branding), else its messages' app name, else its name. */
function frameOf(opened: Pick<OpenedPrompt, 'tenant' | 'locale'>, nonce: string): Omit<Frame, 'csrf' | 'action'> {
  const { policy, name } = opened.tenant;
  const branding = policy.hostedPrompt.branding;
  return {
    t: messagesOf[opened.locale],
    nonce,
    app: { name: branding.name ?? policy.messages.appName ?? name, ...(branding.logoUrl ? { logoUrl: branding.logoUrl } : {}), ...(branding.color ? { color: branding.color } : {}) },
    ...demoAssets(),
    trustedDays: policy.trustedDevices.days,
  };
}

export function promptPages(routes: readonly RouteDefinition[], deps: () => PromptDeps) {
  const [pageRoute, actionRoute] = routes.map(routeKeyOf);
  return async (event: HttpEvent): Promise<APIGatewayProxyStructuredResultV2> => {
    // CSP Level 3 nonces: fresh for every response (w3.org/TR/CSP3 §7.1)
    const nonce = randomBytes(18).toString('base64url');
    const acceptLocale = acceptedLocale(event.headers?.['accept-language']);
    const plain = (status: number, problem: 'prompt_not_found' | 'prompt_expired' | 'invalid_request'): APIGatewayProxyStructuredResultV2 => {
      const locale = acceptLocale ?? 'en';
      const frame = { t: messagesOf[locale], nonce, app: { name: 'Twofold' }, ...demoAssets(), trustedDays: 0 };
      return { statusCode: status, headers: pageHeaders(nonce, []), body: renderUnavailable(frame, problem) };
    };
    const path = PromptPath.safeParse(event.pathParameters ?? {});
    if (!path.success) return plain(404, 'prompt_not_found');
    const { promptId } = path.data;
    const jar = cookiesOf(event);
    const visitor: PromptVisitor = {
      browserSecret: jar.get(BROWSER_COOKIE),
      deviceToken: undefined,
      ...(event.requestContext?.http?.sourceIp ? { ip: event.requestContext.http.sourceIp } : {}),
      ...(event.headers?.['user-agent'] ? { userAgent: event.headers['user-agent'] } : {}),
      acceptLocale,
    };
    const wired = deps();
    let opened: OpenedPrompt;
    try {
      opened = await openPrompt(wired, promptId, visitor);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'prompt_not_found') return plain(404, 'prompt_not_found');
      if (error instanceof DomainError && error.code === 'prompt_expired') return plain(410, 'prompt_expired');
      return toErrorResponse(error, { routeKey: event.routeKey });
    }
    const { prompt } = opened;
    const deviceName = deviceCookie(prompt.tenantId, prompt.userId);
    visitor.deviceToken = jar.get(deviceName);
    const here = `/prompt/${encodeURIComponent(promptId)}`;
    const frame: Frame = { ...frameOf(opened, nonce), csrf: prompt.csrf, action: here };

    let outcome: PromptOutcome;
    try {
      if (event.routeKey === pageRoute) outcome = await promptScreen(wired, opened, visitor, event.queryStringParameters?.view);
      else if (event.routeKey === actionRoute) {
        const type = (event.headers?.['content-type'] ?? '').replace(/;.*$/s, '').trim().toLowerCase();
        const form = PromptForm.safeParse(formOf(event));
        if (type !== 'application/x-www-form-urlencoded' || !form.success) return plain(400, 'invalid_request');
        outcome = await promptAction(wired, opened, form.data);
      } else return plain(404, 'prompt_not_found');
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_request') return plain(400, 'invalid_request');
      return toErrorResponse(error, { routeKey: event.routeKey });
    }

    const cookies = [
      ...(opened.bindSecret ? [cookie(event, BROWSER_COOKIE, opened.bindSecret, here, 86_400)] : []),
      ...(outcome.deviceToken ? [cookie(event, deviceName, outcome.deviceToken, '/prompt', opened.tenant.policy.trustedDevices.days * 86_400)] : []),
    ];
    const redirectOrigin = new URL(prompt.redirectUri).origin;
    const headers = pageHeaders(nonce, [redirectOrigin], frame.app.logoUrl);
    if ('screen' in outcome) return { statusCode: 200, headers, cookies, body: renderScreen(frame, outcome.screen) };
    // 303 See Other: the browser follows with a GET (RFC 9110 §15.4.4)
    const location = 'redirect' in outcome ? outcome.redirect : outcome.view ? `${here}?view=${outcome.view}` : here;
    return { statusCode: 303, headers: { ...headers, location }, cookies, body: '' };
  };
}
