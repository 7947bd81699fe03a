/**
 * The page frame and the small pieces every screen uses. Markup comes from hono/html's `html`
 * template, which escapes every value put into it: a username or a message shows as text.
 * No inline script or style anywhere (the Content-Security-Policy forbids them): styling lives
 * in /assets/app.css and the one behaviour script in /assets/app.js.
 */
import { html } from 'hono/html';
import type { Session } from '../sessions';

export type Html = ReturnType<typeof html>;

export const PRODUCT = 'Acme Workspace';

export interface PageOptions {
  title: string;
  session: Session;
  /** 'auth': a centred card without the app's chrome; 'app': header and settings navigation */
  frame: 'auth' | 'app';
  /** The settings navigation item to mark current */
  nav?: 'home' | 'security';
}

export function csrfField(session: Session): Html {
  return html`<input type="hidden" name="csrf" value="${session.csrf}" />`;
}

export function flash(session: Session): Html {
  const f = session.flash;
  if (!f) return html``;
  session.flash = undefined;
  return html`<div class="alert alert-${f.kind}" role="${f.kind === 'error' ? 'alert' : 'status'}">${f.text}</div>`;
}

export function alert(kind: 'success' | 'error' | 'info' | 'warning', text: Html | string): Html {
  return html`<div class="alert alert-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</div>`;
}

const logo = html`<span class="logo" aria-hidden="true"><span></span></span>`;

export function page(options: PageOptions, body: Html): Html {
  const { title, session, frame } = options;
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · ${PRODUCT}</title>
    <link rel="stylesheet" href="/assets/app.css" />
    <script src="/assets/app.js" defer></script>
  </head>
  <body class="frame-${frame}">
    ${frame === 'auth' ? authFrame(body) : appFrame(options, body)}
  </body>
</html>`;
  function authFrame(content: Html): Html {
    return html`<main class="auth">
      <a class="brand brand-center" href="/">${logo}<span>${PRODUCT}</span></a>
      <div class="card auth-card">${flash(session)}${content}</div>
      <p class="fineprint">Two-factor authentication by Twofold</p>
    </main>`;
  }
}

function appFrame({ session, nav }: PageOptions, body: Html): Html {
  return html`<header class="topbar">
      <a class="brand" href="/">${logo}<span>${PRODUCT}</span></a>
      ${session.username
        ? html`<div class="account">
            <span class="avatar" aria-hidden="true">${session.username.slice(0, 1).toUpperCase()}</span>
            <span class="whoami">Signed in as <strong>${session.username}</strong></span>
            <form method="post" action="/sign-out">${csrfField(session)}<button class="btn btn-ghost btn-sm" type="submit">Sign out</button></form>
          </div>`
        : html``}
    </header>
    <div class="shell">
      <nav class="sidenav" aria-label="Settings">
        <a href="/" ${nav === 'home' ? html`aria-current="page"` : ''}>Overview</a>
        <a href="/settings/security" ${nav === 'security' ? html`aria-current="page"` : ''}>Security</a>
      </nav>
      <main class="content">${flash(session)}${body}</main>
    </div>`;
}

/** A date as people read it, in UTC (the demo does not know the reader's zone). */
export function readableDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
}

export function readableDay(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}
