/** The signed-in screens: the overview and Settings → Security with everything two-factor. */
import { html } from 'hono/html';
import type { Device, Factor, FactorType, User } from '../twofold';
import type { FactorSetup, Session } from '../sessions';
import { icons } from './icons';
import { alert, csrfField, page, readableDate, readableDay, type Html } from './layout';

const FACTOR_NAMES: Record<FactorType, string> = { totp: 'Authenticator app', sms: 'Text message', email: 'Email', webauthn: 'Passkey' };
const FACTOR_ICONS: Record<FactorType, Html> = { totp: icons.app, sms: icons.phone, email: icons.mail, webauthn: icons.app };

function badge(on: boolean, text: string): Html {
  return html`<span class="badge ${on ? 'badge-on' : 'badge-off'}">${text}</span>`;
}

function graceNotice(user: User): Html {
  if (user.status === 'enrolled') return html``;
  if (user.enforcement.state === 'grace')
    return alert('warning', html`Your organization requires two-factor authentication. Set it up by <strong>${readableDay(user.enforcement.graceEndsAt)}</strong>.`);
  if (user.enforcement.state === 'required') return alert('warning', 'Your organization requires two-factor authentication. Set it up to keep using your workspace.');
  return html``;
}

/**
 * SMS is a restricted authenticator (NIST SP 800-63B-4 §3.1.3.3): a user who signs in with text
 * messages and has neither an authenticator app nor a passkey is told so, with the way to add an
 * app (the enrolment screen).
 */
export function smsRestricted(user: User): boolean {
  const active = user.factors.filter((f) => f.status === 'active');
  return active.some((f) => f.type === 'sms') && !active.some((f) => f.type === 'totp' || f.type === 'webauthn');
}

function smsNotice(session: Session, user: User, canAddApp: boolean): Html {
  if (!canAddApp || !smsRestricted(user)) return html``;
  return html`<div class="alert alert-warning notice-action" role="note">
    <p>Text messages are the least safe way to get codes. Add an authenticator app or a passkey.</p>
    <form method="post" action="/settings/security/authenticator">${csrfField(session)}<button class="btn btn-secondary btn-sm" type="submit">Add an authenticator app</button></form>
  </div>`;
}

/** `canAddApp`: the policy allows an authenticator app (the SMS notice's button adds one). */
export function homePage(session: Session, user: User, canAddApp: boolean): Html {
  const on = user.status === 'enrolled';
  return page(
    { title: 'Overview', session, frame: 'app', nav: 'home' },
    html`<h1>Welcome, ${session.username}</h1>
      <p class="lead">Here is how your account is protected.</p>
      ${graceNotice(user)}
      ${smsNotice(session, user, canAddApp)}
      <section class="card tile">
        <div class="tile-icon ${on ? 'ok' : 'warn'}">${icons.shield}</div>
        <div class="tile-body">
          <h2>Two-factor authentication ${badge(on, on ? 'On' : 'Off')}</h2>
          <p>${on
            ? html`You sign in with your password and a code. ${user.recoveryCodesRemaining} recovery codes left.`
            : html`Add a second step to sign-in so that a stolen password is not enough to get into your account.`}</p>
        </div>
        ${on
          ? html`<a class="btn btn-secondary" href="/settings/security">Manage</a>`
          : html`<form method="post" action="/settings/security/authenticator">${csrfField(session)}<button class="btn btn-primary" type="submit">Enable two-factor authentication</button></form>`}
      </section>`,
  );
}

export interface SecurityView {
  user: User;
  devices: Device[];
  recoveryCodeCount: number;
  allowed: FactorType[];
}

function factorRow(session: Session, f: Factor): Html {
  return html`<li class="row">
    <span class="row-icon">${FACTOR_ICONS[f.type]}</span>
    <div class="row-main">
      <strong>${FACTOR_NAMES[f.type]}</strong>${f.destination ? html` <span class="muted">${f.destination}</span>` : ''}
      ${f.status === 'pending' ? badge(false, 'Not confirmed') : ''}
      <div class="muted small">Added ${readableDate(f.createdAt)} · ${f.lastUsedAt ? html`last used ${readableDate(f.lastUsedAt)}` : 'never used'}</div>
    </div>
    <form method="post" action="/settings/security/factors/${f.factorId}/remove">${csrfField(session)}<button class="btn btn-ghost btn-sm" type="submit" aria-label="Remove ${FACTOR_NAMES[f.type]}${f.destination ? ` ${f.destination}` : ''}">Remove</button></form>
  </li>`;
}

export function securityPage(session: Session, view: SecurityView): Html {
  const { user, devices } = view;
  const on = user.status === 'enrolled';
  const active = user.factors.filter((f) => f.status === 'active');
  const hasTotp = active.some((f) => f.type === 'totp');
  const otpAllowed = view.allowed.filter((t) => t !== 'totp');
  const addTotp = !hasTotp && view.allowed.includes('totp');
  // one phone and one address is what the screens offer; the API allows more
  const addOtp = otpAllowed.filter((t) => !active.some((f) => f.type === t));
  return page(
    { title: 'Security', session, frame: 'app', nav: 'security' },
    html`<h1>Security</h1>
      <p class="lead">Manage how you sign in to ${'Acme Workspace'}.</p>
      ${graceNotice(user)}
      <section class="card" aria-labelledby="tfa">
        <div class="card-head">
          <div>
            <h2 id="tfa">Two-factor authentication ${badge(on, on ? 'Enabled' : 'Not enabled')}</h2>
            <p class="muted">${on ? 'After your password, we ask for a code from one of these methods.' : 'Protect your account with a code from your phone after your password.'}</p>
          </div>
        </div>
        ${on
          ? html`<ul class="rows">${active.map((f) => factorRow(session, f))}</ul>
              ${addTotp || addOtp.length
                ? html`<div class="card-foot">
                    ${addTotp
                      ? html`<form method="post" action="/settings/security/authenticator">${csrfField(session)}<button class="btn btn-secondary btn-sm" type="submit">Add authenticator app</button></form>`
                      : ''}
                    ${addOtp.length ? html`<a class="btn btn-secondary btn-sm" href="/settings/security/add-method">Add ${addOtp.map((t) => FACTOR_NAMES[t].toLowerCase()).join(' or ')}</a>` : ''}
                  </div>`
                : ''}`
          : html`<div class="empty">
              <div class="empty-icon">${icons.app}</div>
              <div>
                <strong>Authenticator app</strong>
                <p class="muted">Use an app such as Google Authenticator, 1Password or Authy to get a fresh code every 30 seconds. Recommended.</p>
              </div>
            </div>
            <div class="card-foot">
              ${view.allowed.includes('totp')
                ? html`<form method="post" action="/settings/security/authenticator">${csrfField(session)}<button class="btn btn-primary" type="submit">Enable two-factor authentication</button></form>`
                : ''}
              ${otpAllowed.length ? html`<a class="btn btn-secondary" href="/settings/security/add-method">Use ${otpAllowed.map((t) => FACTOR_NAMES[t].toLowerCase()).join(' or ')} instead</a>` : ''}
            </div>`}
      </section>
      ${on
        ? html`<section class="card" aria-labelledby="codes">
              <div class="card-head">
                <div>
                  <h2 id="codes">Recovery codes</h2>
                  <p class="muted">Use one to sign in when you cannot get a code. Each works once.
                    <strong class="${view.recoveryCodeCount <= 2 ? 'text-warn' : ''}">${view.recoveryCodeCount} remaining.</strong></p>
                </div>
              </div>
              <div class="card-foot">
                <form method="post" action="/settings/security/recovery-codes/view">${csrfField(session)}<button class="btn btn-secondary btn-sm" type="submit">View recovery codes</button></form>
                <form method="post" action="/settings/security/recovery-codes/regenerate">${csrfField(session)}<button class="btn btn-secondary btn-sm" type="submit">Regenerate recovery codes</button></form>
              </div>
            </section>
            <section class="card" aria-labelledby="devices">
              <div class="card-head">
                <div>
                  <h2 id="devices">Trusted devices</h2>
                  <p class="muted">Devices where you chose “Remember this device”. They skip the code step until they expire.</p>
                </div>
              </div>
              ${devices.length
                ? html`<ul class="rows">
                      ${devices.map(
                        (d) => html`<li class="row">
                          <span class="row-icon">${icons.device}</span>
                          <div class="row-main">
                            <strong>${d.label}</strong>
                            <div class="muted small">Added ${readableDate(d.createdAt)} · last used ${readableDate(d.lastUsedAt ?? d.createdAt)} · expires ${readableDate(d.expiresAt)}</div>
                          </div>
                          <form method="post" action="/settings/security/devices/${d.deviceId}/revoke">${csrfField(session)}<button class="btn btn-ghost btn-sm" type="submit" aria-label="Revoke ${d.label}">Revoke</button></form>
                        </li>`,
                      )}
                    </ul>
                    <div class="card-foot"><form method="post" action="/settings/security/devices/revoke-all">${csrfField(session)}<button class="btn btn-secondary btn-sm" type="submit">Revoke all devices</button></form></div>`
                : html`<p class="muted empty-note">No trusted devices.</p>`}
            </section>
            <section class="card danger" aria-labelledby="danger">
              <div class="card-head">
                <div>
                  <h2 id="danger">Turn off two-factor authentication</h2>
                  <p class="muted">Removes every method and trusted device; your recovery codes stop working, used or not. Your password alone will get into your account. You may be asked for a code first.</p>
                </div>
                <form method="post" action="/settings/security/disable">${csrfField(session)}<button class="btn btn-danger-outline" type="submit">Disable two-factor authentication</button></form>
              </div>
            </section>`
        : ''}`,
  );
}

export function authenticatorSetupPage(session: Session, setup: FactorSetup, error?: string): Html {
  return page(
    { title: 'Enable two-factor authentication', session, frame: 'app', nav: 'security' },
    html`<p class="crumbs"><a href="/settings/security">Security</a> / Authenticator app</p>
      <h1>Enable two-factor authentication</h1>
      <p class="lead">Connect an authenticator app such as Google Authenticator, 1Password or Authy.</p>
      <section class="card setup">
        <ol class="steps">
          <li>
            <h2>Scan the QR code</h2>
            <p class="muted">In your authenticator app, add an account and scan this code.</p>
            <div class="qr-row">
              <img class="qr" src="${setup.qrCode}" alt="QR code for your authenticator app" width="200" height="200" />
              <div class="manual">
                <p><strong>Can’t scan it?</strong> Enter this setup key in the app instead:</p>
                <p class="secret"><code id="setup-key" data-plain="${setup.secret}">${groupsOfFour(setup.secret ?? '')}</code></p>
                <button class="btn btn-ghost btn-sm" type="button" data-copy="setup-key" hidden>${icons.copy}<span>Copy key</span></button>
                <p class="muted small">Time-based, 6 digits. Keep this key private.</p>
              </div>
            </div>
          </li>
          <li>
            <h2>Enter the 6-digit code from the app</h2>
            ${error ? alert('error', error) : ''}
            <form method="post" action="/settings/security/authenticator/confirm" class="inline-form">
              ${csrfField(session)}
              <div class="field">
                <label for="code">Code</label>
                <input id="code" name="code" class="code-input" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,9}" maxlength="9" required placeholder="123456" />
              </div>
              <button class="btn btn-primary" type="submit">Verify</button>
            </form>
          </li>
        </ol>
      </section>
      <p><a href="/settings/security">Cancel</a></p>`,
  );
}

export function addMethodPage(session: Session, allowed: FactorType[], error?: string): Html {
  const names = allowed.filter((t) => t !== 'totp').map((t) => FACTOR_NAMES[t].toLowerCase());
  const what = names.length ? names.join(' or ') : 'text message or email';
  return page(
    { title: 'Add a method', session, frame: 'app', nav: 'security' },
    html`<p class="crumbs"><a href="/settings/security">Security</a> / ${what.charAt(0).toUpperCase() + what.slice(1)}</p>
      <h1>Get codes by ${what}</h1>
      <p class="lead">We will send a code now to confirm it reaches you.</p>
      ${error ? alert('error', error) : ''}
      <div class="grid-2">
        ${allowed.includes('sms')
          ? html`<section class="card pad">
              <h2 class="with-icon">${icons.phone} Text message</h2>
              <form method="post" action="/settings/security/add-method" class="stack">
                ${csrfField(session)}<input type="hidden" name="type" value="sms" />
                <div class="field">
                  <label for="phone">Mobile number</label>
                  <input id="phone" name="phone" type="tel" autocomplete="tel" required placeholder="+44 7700 900123" aria-describedby="phone-hint" />
                  <p class="hint" id="phone-hint">With the country code.</p>
                </div>
                <button class="btn btn-primary" type="submit">Send code</button>
              </form>
            </section>`
          : ''}
        ${allowed.includes('email')
          ? html`<section class="card pad">
              <h2 class="with-icon">${icons.mail} Email</h2>
              <form method="post" action="/settings/security/add-method" class="stack">
                ${csrfField(session)}<input type="hidden" name="type" value="email" />
                <div class="field">
                  <label for="email">Email address</label>
                  <input id="email" name="email" type="email" autocomplete="email" required placeholder="you@example.com" />
                </div>
                <button class="btn btn-primary" type="submit">Send code</button>
              </form>
            </section>`
          : ''}
      </div>
      ${allowed.length === 0 || (!allowed.includes('sms') && !allowed.includes('email')) ? alert('info', 'Your organization does not allow text message or email codes.') : ''}
      <p><a href="/settings/security">Cancel</a></p>`,
  );
}

export function confirmMethodPage(session: Session, setup: FactorSetup, error?: string): Html {
  const how = setup.type === 'sms' ? 'by text message' : 'by email';
  return page(
    { title: 'Confirm your code', session, frame: 'app', nav: 'security' },
    html`<p class="crumbs"><a href="/settings/security">Security</a> / ${setup.type === 'sms' ? 'Text message' : 'Email'}</p>
      <h1>Enter the code we sent</h1>
      <p class="lead">We sent a 6-digit code ${how} to <strong>${setup.destination}</strong>.</p>
      <section class="card pad">
        ${error ? alert('error', error) : ''}
        <form method="post" action="/settings/security/add-method/confirm" class="inline-form">
          ${csrfField(session)}
          <div class="field">
            <label for="code">Code</label>
            <input id="code" name="code" class="code-input" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,9}" maxlength="9" required autofocus placeholder="123456" />
          </div>
          <button class="btn btn-primary" type="submit">Verify</button>
        </form>
      </section>
      <p><a href="/settings/security/add-method">Use a different number or address</a> · <a href="/settings/security">Cancel</a></p>`,
  );
}

/** A setup key as a person types it: groups of four characters (authenticator apps ignore the spaces). */
const groupsOfFour = (key: string) => (key.match(/.{1,4}/g) ?? []).join(' ');

export function recoveryCodesPage(session: Session, { codes, fresh, replaced }: NonNullable<Session['codes']>): Html {
  return page(
    { title: 'Recovery codes', session, frame: 'app', nav: 'security' },
    html`<p class="crumbs"><a href="/settings/security">Security</a> / Recovery codes</p>
      <h1>${fresh ? 'Save your recovery codes' : 'Your recovery codes'}</h1>
      <p class="lead">If you lose your phone, each of these codes lets you sign in once. Keep them somewhere safe, such as a password manager.</p>
      ${fresh ? alert('warning', html`<strong>This is the only time these codes are shown.</strong> Download, print or copy them before you continue.${replaced ? ' Any earlier codes no longer work.' : ''}`) : ''}
      <section class="card pad">
        <ol class="codes" id="recovery-codes" aria-label="Recovery codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ol>
        <div class="code-actions">
          <a class="btn btn-secondary btn-sm" href="/settings/security/recovery-codes.txt" download="acme-recovery-codes.txt">${icons.download}<span>Download</span></a>
          <button class="btn btn-secondary btn-sm" type="button" data-print hidden>${icons.print}<span>Print</span></button>
          <button class="btn btn-secondary btn-sm" type="button" data-copy="recovery-codes" hidden>${icons.copy}<span>Copy</span></button>
        </div>
      </section>
      <form method="post" action="/settings/security/recovery-codes/done">${csrfField(session)}<button class="btn btn-primary" type="submit">Done</button></form>`,
  );
}

/** New codes asked for again (a reload): they were shown once and are not shown again. */
export function recoveryCodesGonePage(session: Session): Html {
  return page(
    { title: 'Recovery codes', session, frame: 'app', nav: 'security' },
    html`<p class="crumbs"><a href="/settings/security">Security</a> / Recovery codes</p>
      <h1>Your new recovery codes were shown once</h1>
      <p class="lead">They are not shown again. If you did not save them, regenerate them in Security settings: that gives you new codes and the ones shown before stop working.</p>
      <p><a class="btn btn-primary" href="/settings/security">Back to Security</a></p>`,
  );
}

export function errorPage(session: Session, title: string, message: string): Html {
  return page(
    { title, session, frame: session.username ? 'app' : 'auth' },
    html`<h1>${title}</h1>
      <p class="lead">${message}</p>
      <p><a class="btn btn-secondary" href="/">Back to ${'Acme Workspace'}</a></p>`,
  );
}
