/**
 * The prompt's pages, server-rendered: the demo's look (its style sheet and icons), every form
 * working without JavaScript; the one script (passkeys and copy buttons) and the style sheet are
 * inline, each with the response's CSP nonce. Every value goes through hono/html's escaping.
 */
import { html, raw } from 'hono/html';
import type { Method } from '@twofold/contract/schemas';
import type { PromptProblem, PromptScreen, SmsNotice } from '@twofold/core/login/prompts';
import { icons } from '@twofold/demo/views/icons';
import type { Messages } from './messages';

export type Html = ReturnType<typeof html>;

export interface Frame {
  t: Messages;
  nonce: string;
  csrf: string;
  /** The page's own address: every form posts here. */
  action: string;
  app: { name: string; logoUrl?: string; color?: string };
  /** The demo's style sheet and script (read once: style.ts). */
  css: string;
  script: string;
  trustedDays: number;
}

/** The error text of a field, tied to it with aria-describedby, and announced. */
const errorOf = (t: Messages, problem: PromptProblem | undefined, id: string): Html =>
  problem ? html`<div class="alert alert-error" role="alert" id="${id}">${t.errors[problem]}</div>` : html``;

const describedBy = (...ids: (string | false | undefined)[]) => {
  const list = ids.filter(Boolean).join(' ');
  return list ? html`aria-describedby="${list}"` : html``;
};

function layout(f: Frame, title: string, body: Html): string {
  const brand = f.app.logoUrl
    ? html`<img class="brand-logo" src="${f.app.logoUrl}" alt="" width="28" height="28" /><span>${f.app.name}</span>`
    : html`<span class="logo" aria-hidden="true"><span></span></span><span>${f.app.name}</span>`;
  // the tenant's colour, checked to be #rrggbb by the policy's schema
  const color = f.app.color && /^#[0-9a-fA-F]{6}$/.test(f.app.color) ? `:root{--primary:${f.app.color};--primary-hover:${f.app.color};}` : '';
  return html`<!doctype html>
<html lang="${f.t.lang}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${title} · ${f.app.name}</title>
    <style nonce="${f.nonce}">${raw(f.css)}${raw(PROMPT_CSS)}${raw(color)}</style>
  </head>
  <body class="frame-auth">
    <main class="auth">
      <div class="brand brand-center">${brand}</div>
      <div class="card auth-card">${body}</div>
      <p class="fineprint">${f.t.poweredBy}</p>
    </main>
    <script nonce="${f.nonce}">${raw(f.script)}${raw(PROMPT_SCRIPT)}</script>
  </body>
</html>`.toString();
}

const hidden = (f: Frame, action: string) => html`<input type="hidden" name="csrf" value="${f.csrf}" /><input type="hidden" name="action" value="${action}" />`;

/** A one-button form that posts an action (a link-styled button, as the demo's alternatives are). */
const actionButton = (f: Frame, action: string, label: string, extra: Html = html``, cls = 'link') =>
  html`<form method="post" action="${f.action}">${hidden(f, action)}${extra}<button class="${cls}" type="submit">${label}</button></form>`;

function rememberBox(f: Frame, remember: boolean): Html {
  if (!remember) return html``;
  return html`<label class="check"><input type="checkbox" name="rememberDevice" value="on" /><span>${f.t.remember} <span class="muted">${f.t.rememberFor(f.trustedDays)}</span></span></label>`;
}

function alternativesOf(f: Frame, current: 'code' | 'recovery' | 'passkey', method: Method | undefined, alternatives: Method[], canResend: boolean): Html {
  const items: Html[] = [];
  if (canResend) items.push(actionButton(f, 'resend', f.t.resend));
  for (const m of alternatives) {
    if (m === 'webauthn' && current !== 'passkey') items.push(actionButton(f, 'switch', f.t.usePasskey, html`<input type="hidden" name="method" value="webauthn" />`));
    if (m === 'totp' && (current !== 'code' || method !== 'totp')) items.push(actionButton(f, 'switch', f.t.useTotp, html`<input type="hidden" name="method" value="totp" />`));
    if (m === 'sms' && (current !== 'code' || method !== 'sms')) items.push(actionButton(f, 'switch', f.t.useSms, html`<input type="hidden" name="method" value="sms" />`));
    if (m === 'email' && (current !== 'code' || method !== 'email')) items.push(actionButton(f, 'switch', f.t.useEmail, html`<input type="hidden" name="method" value="email" />`));
    if (m === 'recovery_code' && current !== 'recovery') items.push(html`<a href="${f.action}?view=recovery">${f.t.useRecovery}</a>`);
  }
  return html`<div class="alternatives">
      ${items.length ? html`<p class="muted">${f.t.trouble}</p><ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : ''}
    </div>
    <div class="switch">${actionButton(f, 'cancel', f.t.cancel(f.app.name))}</div>`;
}

export function renderScreen(f: Frame, screen: PromptScreen): string {
  const { t } = f;
  switch (screen.kind) {
    case 'code': {
      const intro = screen.method === 'totp' ? t.totpIntro(f.app.name) : screen.method === 'sms' ? t.smsIntro(screen.destination ?? '') : t.emailIntro(screen.destination ?? '');
      return layout(
        f,
        t.title,
        html`<div class="step-icon">${icons.lock}</div>
          <h1>${t.title}</h1>
          <p class="lead" id="code-intro">${intro}</p>
          <form method="post" action="${f.action}" class="stack" novalidate>
            ${hidden(f, 'verify')}
            ${errorOf(t, screen.error, 'code-error')}
            <div class="field">
              <label for="code">${t.code}</label>
              <input id="code" name="code" class="code-input" inputmode="numeric" autocomplete="one-time-code" maxlength="9" required autofocus placeholder="123456"
                ${describedBy(screen.error && 'code-error', 'code-intro')} ${screen.error ? html`aria-invalid="true"` : ''} />
            </div>
            ${rememberBox(f, screen.remember)}
            <button class="btn btn-primary btn-block" type="submit">${t.verify}</button>
            ${screen.smsNotice ? smsNoticeOf(f, screen.smsNotice) : ''}
          </form>
          ${alternativesOf(f, 'code', screen.method, screen.alternatives, screen.method !== 'totp')}`,
      );
    }
    case 'recovery':
      return layout(
        f,
        t.recoveryCode,
        html`<div class="step-icon">${icons.key}</div>
          <h1>${t.useRecovery}</h1>
          <p class="lead" id="recovery-intro">${t.recoveryIntro}</p>
          <form method="post" action="${f.action}" class="stack" novalidate>
            ${hidden(f, 'recovery')}
            ${errorOf(t, screen.error, 'recovery-error')}
            <div class="field">
              <label for="recovery-code">${t.recoveryCode}</label>
              <input id="recovery-code" name="recoveryCode" class="mono" autocomplete="off" autocapitalize="none" spellcheck="false" required autofocus placeholder="xxxx-xxxx-xxxx-xxxx"
                ${describedBy(screen.error && 'recovery-error', 'recovery-hint')} ${screen.error ? html`aria-invalid="true"` : ''} />
              <p class="hint" id="recovery-hint">${t.recoveryHint}</p>
            </div>
            ${rememberBox(f, screen.remember)}
            <button class="btn btn-primary btn-block" type="submit">${t.verify}</button>
          </form>
          ${alternativesOf(f, 'recovery', undefined, screen.alternatives, false)}`,
      );
    case 'passkey':
      return layout(
        f,
        t.usePasskey,
        html`<div class="step-icon">${icons.key}</div>
          <h1>${t.title}</h1>
          <p class="lead" id="passkey-intro">${t.passkeyIntro}</p>
          ${screen.options ? html`<script type="application/json" id="passkey-options" nonce="${f.nonce}">${raw(JSON.stringify(screen.options).replace(/</g, '\\u003c'))}</script>` : ''}
          <form method="post" action="${f.action}" class="stack" id="passkey-form" ${screen.autostart ? html`data-autostart="1"` : ''}>
            ${hidden(f, 'passkey')}
            <input type="hidden" name="credential" id="passkey-credential" value="" />
            ${errorOf(t, screen.error, 'passkey-error')}
            <noscript><p class="alert alert-info">${t.passkeyNoScript}</p></noscript>
            <p class="hint" id="passkey-waiting" hidden>${t.passkeyWaiting}</p>
            ${rememberBox(f, screen.remember)}
            <button class="btn btn-primary btn-block" type="button" id="passkey-start" ${describedBy(screen.error && 'passkey-error', 'passkey-intro')}>${t.usePasskey}</button>
          </form>
          ${alternativesOf(f, 'passkey', 'webauthn', screen.alternatives, false)}`,
      );
    case 'grace':
      return layout(
        f,
        t.graceTitle,
        html`<div class="step-icon">${icons.shield}</div>
          <h1>${t.graceTitle}</h1>
          <p class="lead">${t.graceIntro(f.app.name)}</p>
          <div class="alert alert-warning" role="status">${t.daysLeft(screen.daysLeft, f.app.name)}</div>
          ${actionButton(f, 'setup', t.setupNow, html``, 'btn btn-primary btn-block')}
          <div class="switch">${actionButton(f, 'skip', t.notNow)}</div>`,
      );
    case 'setup':
      return layout(
        f,
        t.setupTitle,
        html`<h1>${t.setupTitle}</h1>
          <p class="lead">${t.setupIntro(f.app.name)}</p>
          ${screen.daysLeft !== undefined && !screen.required
            ? html`<div class="alert alert-warning" role="status">${t.daysLeft(screen.daysLeft, f.app.name)}</div>`
            : screen.required
              ? html`<div class="alert alert-warning" role="status">${t.requiredNow(f.app.name)}</div>`
              : ''}
          <ol class="steps steps-compact">
            <li>
              <p>${t.setupScan}</p>
              <div class="qr-center"><img class="qr" src="${screen.qrCode}" alt="${t.qrCode}" width="200" height="200" /></div>
              <p class="muted small">${t.setupManual}</p>
              <div class="secret"><code id="setup-key" aria-label="${t.setupKey}" data-plain="${screen.secretGroups.join('')}">${screen.secretGroups.join(' ')}</code></div>
              <button class="btn btn-secondary btn-sm" type="button" data-copy="setup-key" data-copied="${t.copied}" hidden>${icons.copy}<span>${t.copyKey}</span></button>
            </li>
            <li>
              <form method="post" action="${f.action}" class="stack" novalidate>
                ${hidden(f, 'confirm')}
                <p id="confirm-intro">${t.setupConfirm}</p>
                ${errorOf(t, screen.error, 'confirm-error')}
                <div class="field">
                  <label for="code">${t.code}</label>
                  <input id="code" name="code" class="code-input" inputmode="numeric" autocomplete="one-time-code" maxlength="9" required placeholder="123456"
                    ${describedBy(screen.error && 'confirm-error', 'confirm-intro')} ${screen.error ? html`aria-invalid="true"` : ''} />
                </div>
                <button class="btn btn-primary btn-block" type="submit">${t.verify}</button>
              </form>
            </li>
          </ol>
          ${screen.skippable
            ? html`<div class="switch">${actionButton(f, 'skip', t.smsNotNow(f.app.name))}</div>`
            : screen.required
              ? ''
              : html`<div class="switch">${actionButton(f, 'cancel', t.cancel(f.app.name))}</div>`}`,
      );
    case 'codes':
      return layout(
        f,
        t.codesTitle,
        html`<div class="step-icon">${icons.codes}</div>
          <h1>${t.codesTitle}</h1>
          <p class="lead">${t.codesIntro}</p>
          <ol class="codes" id="recovery-codes" aria-label="${t.codesList}">${screen.codes.map((c) => html`<li><code>${c}</code></li>`)}</ol>
          <div class="code-actions"><button class="btn btn-secondary btn-sm" type="button" data-copy="recovery-codes" data-copied="${t.copied}" hidden>${icons.copy}<span>${t.copyCodes}</span></button></div>
          <div class="spaced">${actionButton(f, screen.next === 'manage' ? 'back' : 'done', t.done, html``, 'btn btn-primary btn-block')}</div>`,
      );
    case 'manage':
      return layout(
        f,
        t.manageTitle,
        html`<div class="step-icon">${icons.shield}</div>
          <h1>${t.manageTitle}</h1>
          <p class="lead">${t.manageIntro(f.app.name)}</p>
          ${errorOf(t, screen.error, 'manage-error')}
          <ul class="factor-list" aria-label="${t.manageTitle}">
            ${screen.factors.map(
              (m) => html`<li class="factor-item">
                <span><strong>${m.label}</strong><br /><span class="muted small">${t.factorType[m.type]} · ${t.addedOn(m.addedAt.slice(0, 10))}</span></span>
                ${actionButton(f, 'remove', t.remove, html`<input type="hidden" name="factorId" value="${m.factorId}" />`, 'btn btn-secondary btn-sm')}
                ${m.type === 'sms' && screen.smsRestricted ? html`<p class="alert alert-warning sms-notice" role="note">${t.smsRestricted}</p>` : ''}
              </li>`,
            )}
          </ul>
          <div class="stack">
            ${screen.canAdd ? actionButton(f, 'add', t.addAuthenticator, html``, 'btn btn-secondary btn-block') : ''}
            ${screen.factors.length ? actionButton(f, 'regenerate', t.regenerateCodes, html``, 'btn btn-secondary btn-block') : ''}
            <p class="muted small">${t.codesRemaining(screen.recoveryCodesRemaining)}</p>
            ${actionButton(f, 'done', t.done, html``, 'btn btn-primary btn-block')}
          </div>`,
      );
    case 'unavailable':
      return layout(f, t.unavailableTitle, html`<div class="step-icon">${icons.warning}</div><h1>${t.unavailableTitle}</h1><p class="lead" role="alert">${t.errors[screen.problem]}</p>`);
  }
}

/** A page for a prompt that cannot be opened (unknown, expired, another browser's): no form, no token. */
export function renderUnavailable(f: Omit<Frame, 'csrf' | 'action'>, problem: 'prompt_not_found' | 'prompt_expired' | 'invalid_request'): string {
  return layout({ ...f, csrf: '', action: '' }, f.t.unavailableTitle, html`<div class="step-icon">${icons.warning}</div><h1>${f.t.unavailableTitle}</h1><p class="lead" role="alert">${f.t.errors[problem]}</p>`);
}

/**
 * The code step's word on SMS, a restricted authenticator (NIST SP 800-63B-4 §3.1.3.3), inside the
 * code's form: for a login, a second submit button verifies the code and goes on to set up an
 * authenticator app (`then=setup`); otherwise what comes next, or nothing more to offer.
 */
function smsNoticeOf(f: Frame, notice: SmsNotice): Html {
  const { t } = f;
  const next = notice === 'add' ? '' : notice === 'manage' ? t.smsNextManage : notice === 'setup' ? t.smsNextSetup : '';
  return html`<div class="alert alert-warning sms-notice" role="note">
    <p>${t.smsRestricted}${next ? html` ${next}` : ''}</p>
    ${notice === 'add' ? html`<button class="btn btn-secondary btn-block" type="submit" name="then" value="setup">${t.smsVerifyThenAdd}</button>` : ''}
  </div>`;
}

/** What the prompt adds to the demo's style sheet. */
const PROMPT_CSS = `
.brand-logo { width: 28px; height: 28px; border-radius: 8px; object-fit: contain; }
.steps-compact > li { padding: 1rem 0 1rem 2.75rem; }
.steps-compact > li::before { top: 0.95rem; }
.qr-center { display: flex; justify-content: center; margin: 0.5rem 0 0.9rem; }
.auth-card form { margin: 0; }
.auth { max-width: 440px; }
.factor-list { list-style: none; padding: 0; margin: 0 0 1rem; }
.factor-item { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 0.75rem; padding: 0.75rem 0; border-bottom: 1px solid var(--border, #e5e7eb); }
.sms-notice { margin: 0.25rem 0 0; }
.sms-notice p { margin: 0 0 0.6rem; }
.sms-notice p:last-child { margin: 0; }
.factor-item .sms-notice { flex-basis: 100%; }
/* a long label (in French, say) wraps inside its button rather than running out of it */
.auth-card .btn-block { white-space: normal; text-align: center; }
`;

/**
 * The passkey script (WebAuthn Level 3's JSON helpers); the copy buttons are the demo's script's
 * (style.ts). Everything else works without them.
 */
const PROMPT_SCRIPT = `
(() => {
  const form = document.getElementById('passkey-form');
  const start = document.getElementById('passkey-start');
  const optionsEl = document.getElementById('passkey-options');
  if (form && start) {
    const run = async () => {
      if (!optionsEl || !window.PublicKeyCredential) {
        form.querySelector('input[name=action]').value = 'switch';
        const m = document.createElement('input'); m.type = 'hidden'; m.name = 'method'; m.value = 'webauthn'; form.appendChild(m);
        form.submit();
        return;
      }
      document.getElementById('passkey-waiting').hidden = false;
      start.disabled = true;
      try {
        const options = PublicKeyCredential.parseRequestOptionsFromJSON(JSON.parse(optionsEl.textContent));
        const credential = await navigator.credentials.get({ publicKey: options });
        document.getElementById('passkey-credential').value = JSON.stringify(credential.toJSON());
        form.submit();
      } catch (e) {
        start.disabled = false;
        document.getElementById('passkey-waiting').hidden = true;
      }
    };
    start.addEventListener('click', run);
    if (form.dataset.autostart === '1') run();
  }
})();
`;
