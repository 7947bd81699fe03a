/**
 * The pages' HTTP headers: a strict Content Security Policy with a nonce per response (the one
 * inline style sheet and script carry it; nothing else runs or styles), forms only to this origin
 * and the app's redirect URI (a 303 after a form is checked against form-action too), images only
 * inline (the QR code) and the tenant's logo, no framing (clickjacking), nothing cached.
 */
export function pageHeaders(nonce: string, formTargets: readonly string[], logoUrl?: string): Record<string, string> {
  const logoOrigin = logoUrl ? new URL(logoUrl).origin : undefined;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    `img-src data:${logoOrigin ? ` ${logoOrigin}` : ''}`,
    "connect-src 'none'",
    "base-uri 'none'",
    `form-action 'self'${formTargets.map((t) => ` ${t}`).join('')}`,
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    // frame-ancestors for browsers that predate it (RFC 7034)
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
    'strict-transport-security': 'max-age=31536000',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}
