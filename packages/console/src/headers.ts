/**
 * The console's HTTP headers: a strict Content Security Policy (only this origin's script,
 * styles, icon and API; no inline script or style, no eval, no string-to-HTML sinks through
 * Trusted Types), no framing (clickjacking), no MIME sniffing, no referrer.
 */

/** CSP Level 3 (w3.org/TR/CSP3) and Trusted Types (w3.org/TR/trusted-types). */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  // the admin API, same origin: the key never goes anywhere else
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  // innerHTML and friends refuse strings: every value reaches the page as text
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const common = {
  'content-security-policy': contentSecurityPolicy,
  // frame-ancestors for browsers that predate it (RFC 7034)
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/** The page: never cached (it names the current script), never opened by another window. */
export const pageHeaders = {
  ...common,
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  // API Gateway serves HTTPS only; browsers ignore this over the local runtime's HTTP
  'strict-transport-security': 'max-age=31536000',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
} as const;

/** The script, styles and icon: asked for by a versioned URL, so cached for good. */
export const assetHeaders = (contentType: string) => ({
  ...common,
  'content-type': contentType,
  'cache-control': 'public, max-age=31536000, immutable',
});
