/** Sign up, sign in, and the login step that asks for a code (also used for a fresh verification). */
import { html } from 'hono/html';
import type { FactorType, Method } from '../twofold';
import type { PendingChallenge, Session } from '../sessions';
import { alert, csrfField, page, readableDay, type Html } from './layout';
import { MIN_PASSWORD_LENGTH } from '../accounts';
import { icons } from './icons';

export function signInPage(session: Session, options: { username?: string; error?: string } = {}): Html {
  return page(
    { title: 'Sign in', session, frame: 'auth' },
    html`<h1>Sign in</h1>
      <p class="lead">Welcome back. Sign in to continue to your workspace.</p>
      ${options.error ? alert('error', options.error) : ''}
      <form method="post" action="/sign-in" class="stack">
        ${csrfField(session)}
        <div class="field">
          <label for="username">Username</label>
          <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${options.username ?? ''}" ${options.username ? '' : html`autofocus`} />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required ${options.username ? html`autofocus` : ''} />
        </div>
        <button class="btn btn-primary btn-block" type="submit">Sign in</button>
      </form>
      <p class="switch">New to Acme? <a href="/sign-up">Create an account</a></p>`,
  );
}

export function signUpPage(session: Session, options: { username?: string; error?: string } = {}): Html {
  return page(
    { title: 'Create your account', session, frame: 'auth' },
    html`<h1>Create your account</h1>
      <p class="lead">It takes a few seconds. You can turn on two-factor authentication right after.</p>
      ${options.error ? alert('error', options.error) : ''}
      <form method="post" action="/sign-up" class="stack">
        ${csrfField(session)}
        <div class="field">
          <label for="username">Username</label>
          <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required
            minlength="2" maxlength="64" aria-describedby="username-hint" value="${options.username ?? ''}" autofocus />
          <p class="hint" id="username-hint">2–64 letters, digits and . _ - + @ (an email address works).</p>
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" aria-describedby="password-hint" />
          <p class="hint" id="password-hint">At least ${MIN_PASSWORD_LENGTH} characters.</p>
        </div>
        <button class="btn btn-primary btn-block" type="submit">Create account</button>
      </form>
      <p class="switch">Already have an account? <a href="/sign-in">Sign in</a></p>`,
  );
}

const METHOD_NAMES: Record<Method, string> = { totp: 'authenticator app', sms: 'text message', email: 'email', webauthn: 'passkey', recovery_code: 'recovery code' };

export function methodName(method: Method): string {
  return METHOD_NAMES[method];
}

function switchLabel(method: Method): string {
  switch (method) {
    case 'totp':
      return 'Use your authenticator app instead';
    case 'sms':
      return 'Text me a code instead';
    case 'email':
      return 'Email me a code instead';
    default:
      return 'Use a recovery code';
  }
}

function codeIntro(challenge: PendingChallenge): Html {
  switch (challenge.method) {
    case 'totp':
      return html`Open your authenticator app and enter the 6-digit code for ${'Acme Workspace'}.`;
    case 'sms':
      return html`We ${challenge.resent ? 'sent a new' : 'sent a'} 6-digit code by text message to <strong>${challenge.destination ?? 'your phone'}</strong>.`;
    case 'email':
      return html`We ${challenge.resent ? 'sent a new' : 'sent a'} 6-digit code to <strong>${challenge.destination ?? 'your email address'}</strong>.`;
    default:
      return html`Enter one of the recovery codes you saved when you turned on two-factor authentication.`;
  }
}

export interface CodeStepOptions {
  session: Session;
  challenge: PendingChallenge;
  /** Where the answer goes: /sign-in/verify or /settings/security/confirm */
  base: string;
  title: string;
  /** The login step offers to remember the device; a fresh verification does not */
  remember: boolean;
  /** 'recovery': ask for a recovery code instead of a code */
  mode: 'code' | 'recovery';
  error?: string;
  cancel: { href: string; label: string } | { action: string; label: string };
  trustedDays?: number;
  /** The heading while a recovery code is asked for (the title otherwise) */
  recoveryTitle?: string;
}

export function codeStepPage(o: CodeStepOptions): Html {
  const { session, challenge, base } = o;
  const recovery = o.mode === 'recovery' || challenge.method === 'recovery_code';
  const others = challenge.methods.filter((m) => m !== challenge.method && m !== 'recovery_code');
  const rememberBox = o.remember
    ? html`<label class="check">
        <input type="checkbox" name="remember" value="yes" />
        <span>Remember this device${o.trustedDays ? html` <span class="muted">for ${o.trustedDays} days</span>` : ''}</span>
      </label>`
    : '';
  const form = recovery
    ? html`<form method="post" action="${base}" class="stack">
        ${csrfField(session)}
        <input type="hidden" name="kind" value="recovery" />
        <div class="field">
          <label for="recovery-code">Recovery code</label>
          <input id="recovery-code" name="recoveryCode" class="mono" autocomplete="off" autocapitalize="none" spellcheck="false" required autofocus placeholder="xxxx-xxxx-xxxx-xxxx" />
          <p class="hint">Each recovery code works once.</p>
        </div>
        ${rememberBox}
        <button class="btn btn-primary btn-block" type="submit">Verify</button>
      </form>`
    : html`<form method="post" action="${base}" class="stack">
        ${csrfField(session)}
        <input type="hidden" name="kind" value="code" />
        <div class="field">
          <label for="code">Code</label>
          <input id="code" name="code" class="code-input" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,9}" maxlength="9" required autofocus placeholder="123456" />
        </div>
        ${rememberBox}
        <button class="btn btn-primary btn-block" type="submit">Verify</button>
      </form>`;
  const alternatives: Html[] = [];
  if (!recovery && (challenge.method === 'sms' || challenge.method === 'email')) {
    alternatives.push(html`<form method="post" action="${base}/method">${csrfField(session)}<input type="hidden" name="method" value="${challenge.method}" /><button class="link" type="submit">Send a new code</button></form>`);
  }
  if (recovery) {
    alternatives.push(html`<a href="${base}">${challenge.method === 'totp' ? 'Use your authenticator app instead' : `Use a code by ${methodName(challenge.method)} instead`}</a>`);
  }
  for (const m of others) {
    alternatives.push(html`<form method="post" action="${base}/method">${csrfField(session)}<input type="hidden" name="method" value="${m}" /><button class="link" type="submit">${switchLabel(m)}</button></form>`);
  }
  if (!recovery && challenge.methods.includes('recovery_code')) alternatives.push(html`<a href="${base}?with=recovery-code">Use a recovery code</a>`);
  const cancel = 'href' in o.cancel ? html`<a href="${o.cancel.href}">${o.cancel.label}</a>` : html`<form method="post" action="${o.cancel.action}">${csrfField(session)}<button class="link" type="submit">${o.cancel.label}</button></form>`;
  const title = recovery && o.recoveryTitle ? o.recoveryTitle : o.title;
  return page(
    { title, session, frame: 'auth' },
    html`<div class="step-icon">${recovery ? icons.key : icons.lock}</div>
      <h1>${title}</h1>
      <p class="lead">${recovery ? codeIntro({ ...challenge, method: 'recovery_code' }) : codeIntro(challenge)}</p>
      ${o.error ? alert('error', o.error) : ''}
      ${form}
      <div class="alternatives">
        <p class="muted">Having trouble?</p>
        <ul>${alternatives.map((a) => html`<li>${a}</li>`)}</ul>
      </div>
      <div class="switch">${cancel}</div>`,
  );
}

export function enrollmentRequiredPage(session: Session, allowed: FactorType[]): Html {
  const otp = allowed.filter((t) => t !== 'totp').map((t) => (t === 'sms' ? 'text message' : 'email'));
  const e = session.enrollment!;
  const inGrace = e.skippable && e.graceEndsAt !== null;
  return page(
    { title: 'Set up two-factor authentication', session, frame: 'auth' },
    html`<div class="step-icon">${icons.shield}</div>
      <h1>Set up two-factor authentication</h1>
      <p class="lead">Your organization requires two-factor authentication for every account. It protects your account even if someone learns your password.</p>
      ${inGrace
        ? alert('warning', html`You have until <strong>${readableDay(e.graceEndsAt)}</strong> to set it up. After that, you will have to set it up before you can use ${'Acme Workspace'}.`)
        : alert('warning', html`Set it up now to continue to your workspace.`)}
      ${allowed.includes('totp')
        ? html`<form method="post" action="/settings/security/authenticator" class="stack">
            ${csrfField(session)}
            <button class="btn btn-primary btn-block" type="submit">Enable two-factor authentication</button>
          </form>`
        : ''}
      ${otp.length
        ? allowed.includes('totp')
          ? html`<p class="center spaced"><a href="/settings/security/add-method">Get codes by ${otp.join(' or ')} instead</a></p>`
          : html`<a class="btn btn-primary btn-block" href="/settings/security/add-method">Get codes by ${otp.join(' or ')}</a>`
        : ''}
      <div class="switch">
        ${inGrace
          ? html`<form method="post" action="/settings/security/required/skip">${csrfField(session)}<button class="link" type="submit">Remind me later</button></form>`
          : html`<form method="post" action="/sign-out">${csrfField(session)}<button class="link" type="submit">Sign out</button></form>`}
      </div>`,
  );
}
