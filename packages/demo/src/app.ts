/**
 * The demo client app: its own username/password accounts, and Twofold for everything after the
 * password. Routes are thin: read the form, call one function of ./twofold, pick the next
 * screen. Every POST carries the session's CSRF token; every page is sent with a strict
 * Content-Security-Policy (no inline script or style) and `Cache-Control: no-store`, since
 * pages show secrets (a setup key, recovery codes).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { AccountStore, MIN_PASSWORD_LENGTH, USERNAME_PATTERN } from './accounts';
import { csrfMatches, SESSION_COOKIE, SessionStore, type PendingChallenge, type SensitiveAction, type Session } from './sessions';
import { isTwofoldError, TwofoldError, type FactorType, type Method, type Twofold } from './twofold';
import { codeStepPage, enrollmentRequiredPage, signInPage, signUpPage } from './views/auth';
import type { Html } from './views/layout';
import { promptMode } from './prompt-mode';
import { addMethodPage, authenticatorSetupPage, confirmMethodPage, errorPage, homePage, recoveryCodesGonePage, recoveryCodesPage, securityPage } from './views/security';

export interface DemoAppOptions {
  twofold: Twofold;
  accounts: AccountStore;
  sessions?: SessionStore;
  /** Set the Secure flag on cookies (when served over HTTPS) */
  secureCookies?: boolean;
  /**
   * `prompt` (DEMO_MODE=prompt): no two-factor screens of its own; after the password the user goes
   * to Twofold's hosted prompt and comes back to `{publicUrl}/2fa/callback` (./prompt-mode.ts).
   */
  mode?: 'screens' | 'prompt';
  /** The demo's own address, for the prompt's redirect URI. */
  publicUrl?: string;
  /** Twofold's origin, where the prompt's pages are: a form's 303 goes there (CSP form-action covers redirects). */
  promptOrigin?: string;
}

type Form = Record<string, string>;
type Env = { Variables: { session: Session; form: Form } };
type C = Context<Env>;

const assets = {
  css: readFileSync(new URL('../public/app.css', import.meta.url), 'utf8'),
  js: readFileSync(new URL('../public/app.js', import.meta.url), 'utf8'),
};

/** Paths a user whom the policy obliges to set up two-factor may still reach. */
const SETUP_PATHS = [/^\/settings\/security\/(required|authenticator|add-method|recovery-codes)/, /^\/sign-out$/, /^\/assets\//];
const DEVICE_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60; // the most a browser keeps a cookie; Twofold decides how long the device is trusted

export function createDemoApp(options: DemoAppOptions): Hono<Env> {
  const { twofold, accounts } = options;
  const sessions = options.sessions ?? new SessionStore();
  const cookieBase = { httpOnly: true, sameSite: 'Lax' as const, path: '/', secure: options.secureCookies ?? false };
  const app = new Hono<Env>();

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'", ...(options.mode === 'prompt' && options.promptOrigin ? [options.promptOrigin] : [])],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.get('/assets/app.css', (c) => c.body(assets.css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }));
  app.get('/assets/app.js', (c) => c.body(assets.js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' }));

  // the session (made on first visit, so that even the sign-in form has a CSRF token), and the CSRF check
  app.use(async (c, next) => {
    let session = sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) {
      session = sessions.create();
      setSessionCookie(c, session);
    }
    c.set('session', session);
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody();
      const form: Form = {};
      for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form[k] = v;
      if (!csrfMatches(session, form.csrf)) return c.html(errorPage(session, 'This form has expired', 'Go back, reload the page and try again.'), 403);
      c.set('form', form);
    }
    await next();
    c.header('cache-control', 'no-store');
  });

  // someone the policy obliges to set up two-factor (past the grace period) does that first
  app.use(async (c, next) => {
    const s = c.var.session;
    if (s.username && s.enrollment && !s.enrollment.skippable && !SETUP_PATHS.some((p) => p.test(c.req.path))) return c.redirect('/settings/security/required', 303);
    await next();
  });

  function setSessionCookie(c: C, session: Session) {
    setCookie(c, SESSION_COOKIE, session.id, cookieBase);
  }
  // a cookie name may not hold every character of a username (@ for one): a digest of it instead
  const deviceCookie = (username: string) => `demo_device_${createHash('sha256').update(username).digest('hex').slice(0, 24)}`;
  function rememberDevice(c: C, username: string, token: string | undefined) {
    if (token) setCookie(c, deviceCookie(username), token, { ...cookieBase, maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS });
  }
  function signIn(c: C, username: string): Session {
    const next = sessions.rotate(c.var.session);
    next.username = username;
    next.login = undefined;
    setSessionCookie(c, next);
    c.set('session', next);
    return next;
  }
  const see = (c: C, path: string) => c.redirect(path, 303);
  const show = (c: C, body: Html, status: 200 | 403 | 404 | 409 | 410 | 422 | 423 | 429 | 502 = 200) => c.html(body, status);
  function signedIn(c: C): string | undefined {
    return c.var.session.username;
  }

  const prompt = options.mode === 'prompt' ? promptMode({ twofold, publicUrl: options.publicUrl ?? '' }) : undefined;
  if (prompt) {
    app.get('/2fa/callback', async (c) => {
      const s = c.var.session;
      const back = await prompt.finish(s, c.req.url);
      if (!back.ok) {
        s.flash = { kind: 'error', text: back.message };
        return see(c, '/sign-in');
      }
      const next = signIn(c, back.username);
      next.assertion = back.assertion ?? undefined;
      return see(c, '/');
    });
    // the hosted prompt sets up two-factor: the demo's own setup screens are not served
    app.post('/settings/security/authenticator', async (c) => see(c, await prompt.start(c.var.session, signedIn(c) ?? '', 'setup')));
    app.get('/settings/security/*', (c) => see(c, '/'));
    app.get('/settings/security', (c) => see(c, '/'));
  }

  // ---- sign up and sign in ----

  app.get('/', async (c) => {
    const s = c.var.session;
    const username = signedIn(c);
    if (!username) return see(c, s.login ? '/sign-in/verify' : '/sign-in');
    const [user, policy] = await Promise.all([loadUser(username), twofold.getPolicy()]);
    return show(c, homePage(s, user, policy.methods.allowed.includes('totp')));
  });

  app.get('/sign-up', (c) => (signedIn(c) ? see(c, '/') : show(c, signUpPage(c.var.session))));
  app.post('/sign-up', async (c) => {
    const s = c.var.session;
    const username = (c.var.form.username ?? '').trim();
    const password = c.var.form.password ?? '';
    if (!USERNAME_PATTERN.test(username)) return show(c, signUpPage(s, { username, error: 'Choose a username of 2–64 letters, digits and . _ - + @.' }), 422);
    if (password.length < MIN_PASSWORD_LENGTH) return show(c, signUpPage(s, { username, error: `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.` }), 422);
    if (!(await accounts.create(username, password))) return show(c, signUpPage(s, { username, error: 'That username is taken. Choose another, or sign in.' }), 409);
    await twofold.putUser(username, {});
    // in prompt mode a new account goes straight to setting up two-factor on the prompt
    if (prompt) return see(c, await prompt.start(c.var.session, username, 'setup'));
    return afterPassword(c, username);
  });

  app.get('/sign-in', (c) => (signedIn(c) ? see(c, '/') : show(c, signInPage(c.var.session))));
  app.post('/sign-in', async (c) => {
    const username = (c.var.form.username ?? '').trim();
    if (!(await accounts.checkPassword(username, c.var.form.password ?? ''))) {
      return show(c, signInPage(c.var.session, { username, error: 'That username and password do not match.' }), 422);
    }
    return afterPassword(c, username);
  });

  /** The password was right: Twofold says whether a code comes next, or setup. */
  async function afterPassword(c: C, username: string) {
    if (prompt) return see(c, await prompt.start(c.var.session, username, 'login'));
    const deviceToken = getCookie(c, deviceCookie(username));
    const userAgent = c.req.header('user-agent')?.slice(0, 512);
    const started = await twofold.startChallenge(username, { context: { ...(userAgent ? { userAgent } : {}), ...(deviceToken ? { deviceToken } : {}) } });
    rememberDevice(c, username, started.deviceToken);
    if (started.challengeId && started.method) {
      const s = c.var.session;
      s.login = {
        username,
        challenge: pending(started.challengeId, started.method, started.methods, started.destination),
        enrollmentRequired: started.enrollmentRequired === true,
        ...(started.enrollmentMethods ? { enrollmentMethods: started.enrollmentMethods } : {}),
      };
      return see(c, '/sign-in/verify');
    }
    const s = signIn(c, username);
    if (started.enrollmentRequired) {
      s.enrollment = { required: true, graceEndsAt: started.graceEndsAt ?? null, skippable: false, ...(started.enrollmentMethods ? { methods: started.enrollmentMethods } : {}) };
      return see(c, '/settings/security/required');
    }
    if (started.reason === 'not_enrolled' && started.graceEndsAt) {
      s.enrollment = { required: true, graceEndsAt: started.graceEndsAt, skippable: true };
      return see(c, '/settings/security/required');
    }
    return see(c, '/');
  }

  app.post('/sign-out', (c) => {
    sessions.destroy(c.var.session);
    const fresh = sessions.create();
    fresh.flash = { kind: 'info', text: 'You have signed out.' };
    setSessionCookie(c, fresh);
    return see(c, '/sign-in');
  });

  // ---- the login step ----

  /**
   * The days a remembered device skips the code, when the policy honours remembered devices:
   * under `prompt: every_login` (the default) a code is asked at every sign-in, so the page
   * offers no "Remember this device" that would do nothing.
   */
  const trustedDays = async () => {
    const policy = await twofold.getPolicy();
    return policy.trustedDevices.enabled && policy.prompt === 'unrecognized_devices' ? policy.trustedDevices.days : undefined;
  };

  async function loginStep(c: C, error?: string, status: 200 | 410 | 422 | 423 | 429 = 200) {
    const s = c.var.session;
    const login = s.login!;
    const days = await trustedDays();
    return show(
      c,
      codeStepPage({
        session: s,
        challenge: login.challenge,
        base: '/sign-in/verify',
        title: 'Two-factor authentication',
        recoveryTitle: 'Use a recovery code',
        remember: days !== undefined,
        trustedDays: days,
        mode: c.req.query('with') === 'recovery-code' || c.var.form?.kind === 'recovery' ? 'recovery' : 'code',
        cancel: { action: '/sign-in/cancel', label: 'Cancel and go back to sign in' },
        ...(error ? { error } : {}),
      }),
      status,
    );
  }

  app.get('/sign-in/verify', (c) => (c.var.session.login ? loginStep(c) : see(c, '/sign-in')));
  app.post('/sign-in/verify', async (c) => {
    const s = c.var.session;
    const login = s.login;
    if (!login) return see(c, '/sign-in');
    const rememberDeviceAsked = c.var.form.remember === 'yes';
    try {
      const verified = await twofold.verifyChallenge(login.challenge.challengeId, { ...answerOf(c.var.form), rememberDevice: rememberDeviceAsked });
      rememberDevice(c, login.username, verified.deviceToken);
      const next = signIn(c, login.username);
      next.assertion = verified.assertion;
      if (login.enrollmentRequired) {
        next.enrollment = { required: true, graceEndsAt: null, skippable: false, ...(login.enrollmentMethods ? { methods: login.enrollmentMethods } : {}) };
        return see(c, '/settings/security/required');
      }
      if (verified.method === 'recovery_code') {
        next.flash =
          verified.recoveryCodesRemaining <= 2
            ? { kind: 'error', text: `You have ${verified.recoveryCodesRemaining} recovery codes left. Regenerate them in Security settings.` }
            : { kind: 'info', text: `You used a recovery code. ${verified.recoveryCodesRemaining} remain.` };
      }
      return see(c, '/');
    } catch (error) {
      const problem = codeProblem(error);
      if (problem.restart) {
        s.login = undefined;
        return show(c, signInPage(s, { username: login.username, error: problem.text }), 410);
      }
      return loginStep(c, problem.text, problem.status);
    }
  });
  app.post('/sign-in/verify/method', async (c) => {
    const s = c.var.session;
    if (!s.login) return see(c, '/sign-in');
    const error = await switchMethod(s.login.challenge, c.var.form.method);
    return error ? loginStep(c, error, 422) : see(c, '/sign-in/verify');
  });
  app.post('/sign-in/cancel', (c) => {
    c.var.session.login = undefined;
    return see(c, '/sign-in');
  });

  // ---- must set up two-factor ----

  app.get('/settings/security/required', async (c) => {
    const s = c.var.session;
    if (!s.username) return see(c, '/sign-in');
    if (!s.enrollment) return see(c, '/');
    const methods = s.enrollment.methods;
    const allowed = allowedTypes((await twofold.getPolicy()).methods.allowed).filter((t) => !methods || methods.includes(t));
    return show(c, enrollmentRequiredPage(s, allowed));
  });
  app.post('/settings/security/required/skip', (c) => {
    const s = c.var.session;
    if (s.enrollment?.skippable) s.enrollment = undefined;
    return see(c, '/');
  });

  // ---- security settings ----

  app.use('/settings/*', async (c, next) => {
    if (!signedIn(c)) return see(c, '/sign-in');
    await next();
  });

  app.get('/settings/security', async (c) => {
    const username = signedIn(c)!;
    // recovery codes are shown once: leaving their page for settings is as good as Done
    c.var.session.codes = undefined;
    const [user, policy] = await Promise.all([loadUser(username), twofold.getPolicy()]);
    const devices = user.status === 'enrolled' ? (await twofold.listDevices(username)).devices : [];
    return show(c, securityPage(c.var.session, { user, devices, recoveryCodeCount: user.recoveryCodesRemaining, allowed: allowedTypes(policy.methods.allowed) }));
  });

  // authenticator app
  app.post('/settings/security/authenticator', async (c) => {
    const s = c.var.session;
    try {
      const started = await twofold.createFactor(s.username!, { type: 'totp', label: 'Authenticator app' });
      if (started.type !== 'totp') throw new Error('Twofold answered a TOTP enrollment with another type');
      s.setup = { factorId: started.factorId, type: 'totp', secret: started.secret, qrCode: started.qrCode };
      return see(c, '/settings/security/authenticator');
    } catch (error) {
      if (!isTwofoldError(error) || error.status >= 500) throw error;
      s.flash = { kind: 'error', text: error.message };
      return see(c, '/settings/security');
    }
  });
  app.get('/settings/security/authenticator', (c) => {
    const s = c.var.session;
    return s.setup?.type === 'totp' ? show(c, authenticatorSetupPage(s, s.setup)) : see(c, '/settings/security');
  });
  app.post('/settings/security/authenticator/confirm', (c) => confirmSetup(c, 'totp'));

  // text message or email
  app.get('/settings/security/add-method', async (c) => show(c, addMethodPage(c.var.session, allowedTypes((await twofold.getPolicy()).methods.allowed))));
  app.post('/settings/security/add-method', async (c) => {
    const s = c.var.session;
    const form = c.var.form;
    const factor = form.type === 'sms' ? { type: 'sms' as const, phone: (form.phone ?? '').replace(/[\s().-]/g, '') } : { type: 'email' as const, email: (form.email ?? '').trim() };
    try {
      const started = await twofold.createFactor(s.username!, factor);
      if (started.type !== 'sms' && started.type !== 'email') throw new Error('Twofold answered an SMS or email enrollment with another kind');
      s.setup = { factorId: started.factorId, type: started.type, destination: started.destination };
      return see(c, '/settings/security/add-method/confirm');
    } catch (error) {
      if (!isTwofoldError(error) || error.status >= 500) throw error;
      const text = error.code === 'invalid_request' ? (factor.type === 'sms' ? 'Enter a mobile number with its country code, such as +44 7700 900123.' : 'Enter a valid email address.') : error.message;
      return show(c, addMethodPage(s, allowedTypes((await twofold.getPolicy()).methods.allowed), text), 422);
    }
  });
  app.get('/settings/security/add-method/confirm', (c) => {
    const s = c.var.session;
    return s.setup && s.setup.type !== 'totp' ? show(c, confirmMethodPage(s, s.setup)) : see(c, '/settings/security');
  });
  app.post('/settings/security/add-method/confirm', (c) => confirmSetup(c, 'otp'));

  async function confirmSetup(c: C, kind: 'totp' | 'otp') {
    const s = c.var.session;
    const setup = s.setup;
    if (!setup || (kind === 'totp') !== (setup.type === 'totp')) return see(c, '/settings/security');
    const render = (error: string, status: 410 | 422) =>
      show(c, setup.type === 'totp' ? authenticatorSetupPage(s, setup, error) : confirmMethodPage(s, setup, error), status);
    try {
      const confirmed = await twofold.verifyFactor(s.username!, setup.factorId, { code: c.var.form.code ?? '' });
      s.setup = undefined;
      s.enrollment = undefined;
      if (confirmed.recoveryCodes?.length) {
        // the first factor's codes: there were none before
        s.codes = { codes: confirmed.recoveryCodes, fresh: true, replaced: false };
        s.flash = { kind: 'success', text: 'Two-factor authentication is on.' };
        return see(c, '/settings/security/recovery-codes');
      }
      s.flash = { kind: 'success', text: setup.type === 'totp' ? 'Authenticator app added.' : `${setup.type === 'sms' ? 'Phone' : 'Email address'} ${setup.destination ?? ''} added.` };
      return see(c, '/settings/security');
    } catch (error) {
      if (!isTwofoldError(error) || error.status >= 500) throw error;
      if (error.code === 'invalid_code') return render(`That code didn’t work.${remaining(error)} ${setup.type === 'totp' ? 'Check that the time on your phone is set automatically.' : ''}`, 422);
      if (error.code === 'invalid_request') return render('Enter the 6-digit code.', 422);
      if (error.code === 'enrollment_expired' || error.code === 'factor_not_found') {
        s.setup = undefined;
        s.flash = { kind: 'error', text: 'That setup expired. Start again.' };
        return see(c, '/settings/security');
      }
      return render(error.message, 422);
    }
  }

  // recovery codes
  app.post('/settings/security/recovery-codes/view', (c) => sensitive(c, { kind: 'view-codes' }));
  app.post('/settings/security/recovery-codes/regenerate', (c) => sensitive(c, { kind: 'regenerate' }));
  app.get('/settings/security/recovery-codes', (c) => {
    const s = c.var.session;
    if (!s.codes) return see(c, '/settings/security');
    // new codes are shown once: a reload (or the back button) does not show them again
    if (s.codes.fresh && s.codes.shown) {
      s.codes = undefined;
      return show(c, recoveryCodesGonePage(s));
    }
    s.codes.shown = true;
    return show(c, recoveryCodesPage(s, s.codes));
  });
  app.get('/settings/security/recovery-codes.txt', (c) => {
    const s = c.var.session;
    if (!s.codes) return c.text('Nothing to download: open your recovery codes first.', 404);
    const text = [`Acme Workspace recovery codes for ${s.username}`, 'Each code signs you in once. Keep them somewhere safe.', '', ...s.codes.codes, ''].join('\n');
    return c.body(text, 200, { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'attachment; filename="acme-recovery-codes.txt"' });
  });
  app.post('/settings/security/recovery-codes/done', (c) => {
    const s = c.var.session;
    s.codes = undefined;
    return see(c, '/settings/security');
  });

  // factors, devices, disabling
  app.post('/settings/security/factors/:factorId/remove', (c) => sensitive(c, { kind: 'remove-factor', factorId: c.req.param('factorId') }));
  app.post('/settings/security/devices/:deviceId/revoke', async (c) => {
    const s = c.var.session;
    await twofold.revokeDevice(s.username!, c.req.param('deviceId')).catch((error: unknown) => {
      if (!(isTwofoldError(error) && error.code === 'device_not_found')) throw error;
    });
    s.flash = { kind: 'success', text: 'Device revoked. It will be asked for a code at its next sign-in.' };
    return see(c, '/settings/security');
  });
  app.post('/settings/security/devices/revoke-all', async (c) => {
    const s = c.var.session;
    await twofold.revokeAllDevices(s.username!);
    deleteCookie(c, deviceCookie(s.username!), cookieBase);
    s.flash = { kind: 'success', text: 'All devices revoked.' };
    return see(c, '/settings/security');
  });
  app.get('/settings/security/disable', (c) => see(c, '/settings/security'));
  app.post('/settings/security/disable', (c) => sensitive(c, { kind: 'disable' }));

  // ---- fresh verification before a sensitive action ----

  /** Does the action with the session's assertion; when Twofold wants a fresher one, asks for a code first. */
  async function sensitive(c: C, action: SensitiveAction) {
    const s = c.var.session;
    if (s.assertion) {
      try {
        return await perform(c, action, s.assertion);
      } catch (error) {
        if (!(isTwofoldError(error) && error.code === 'fresh_verification_required')) throw error;
      }
    }
    s.assertion = undefined;
    const started = await twofold.startChallenge(s.username!);
    if (!started.challengeId || !started.method) {
      s.flash = { kind: 'error', text: 'This needs a code, and your account has no way to get one right now.' };
      return see(c, '/settings/security');
    }
    s.stepUp = { action, challenge: pending(started.challengeId, started.method, started.methods, started.destination) };
    return see(c, '/settings/security/confirm');
  }

  /** An assertion serves one sensitive action: Twofold spends it there, so the session forgets it once done. */
  async function perform(c: C, action: SensitiveAction, assertion: string) {
    const done = await performOnce(c, action, assertion);
    c.var.session.assertion = undefined;
    return done;
  }

  async function performOnce(c: C, action: SensitiveAction, assertion: string) {
    const s = c.var.session;
    const username = s.username!;
    switch (action.kind) {
      case 'disable':
        await twofold.disableTwoFactor(username, { assertion });
        deleteCookie(c, deviceCookie(username), cookieBase);
        s.flash = { kind: 'success', text: 'Two-factor authentication is off.' };
        return see(c, '/settings/security');
      case 'regenerate':
        s.codes = { codes: (await twofold.regenerateRecoveryCodes(username, { assertion })).recoveryCodes, fresh: true, replaced: true };
        return see(c, '/settings/security/recovery-codes');
      case 'view-codes': {
        const { codes } = await twofold.getRecoveryCodes(username, { assertion });
        if (!codes) throw new TwofoldError({ code: 'fresh_verification_required', status: 403, message: 'Twofold left the codes out' });
        s.codes = { codes, fresh: false, replaced: false };
        return see(c, '/settings/security/recovery-codes');
      }
      case 'remove-factor':
        await twofold.deleteFactor(username, action.factorId, { assertion }).catch((error: unknown) => {
          if (!(isTwofoldError(error) && error.code === 'factor_not_found')) throw error;
        });
        s.flash = { kind: 'success', text: 'Method removed.' };
        return see(c, '/settings/security');
    }
  }

  async function confirmStep(c: C, error?: string, status: 200 | 410 | 422 | 423 | 429 = 200) {
    const s = c.var.session;
    const titles: Record<SensitiveAction['kind'], string> = {
      disable: 'Confirm it’s you to disable two-factor authentication',
      regenerate: 'Confirm it’s you to make new recovery codes',
      'view-codes': 'Confirm it’s you to see your recovery codes',
      'remove-factor': 'Confirm it’s you to remove this method',
    };
    return show(
      c,
      codeStepPage({
        session: s,
        challenge: s.stepUp!.challenge,
        base: '/settings/security/confirm',
        title: titles[s.stepUp!.action.kind],
        remember: false,
        mode: c.req.query('with') === 'recovery-code' || c.var.form?.kind === 'recovery' ? 'recovery' : 'code',
        cancel: { href: '/settings/security', label: 'Cancel' },
        ...(error ? { error } : {}),
      }),
      status,
    );
  }

  app.get('/settings/security/confirm', (c) => (c.var.session.stepUp ? confirmStep(c) : see(c, '/settings/security')));
  app.post('/settings/security/confirm', async (c) => {
    const s = c.var.session;
    const stepUp = s.stepUp;
    if (!stepUp) return see(c, '/settings/security');
    try {
      const verified = await twofold.verifyChallenge(stepUp.challenge.challengeId, answerOf(c.var.form));
      s.stepUp = undefined;
      s.assertion = verified.assertion;
      return await perform(c, stepUp.action, verified.assertion);
    } catch (error) {
      const problem = codeProblem(error);
      if (problem.restart) {
        s.stepUp = undefined;
        s.flash = { kind: 'error', text: problem.text };
        return see(c, '/settings/security');
      }
      return confirmStep(c, problem.text, problem.status);
    }
  });
  app.post('/settings/security/confirm/method', async (c) => {
    const s = c.var.session;
    if (!s.stepUp) return see(c, '/settings/security');
    const error = await switchMethod(s.stepUp.challenge, c.var.form.method);
    return error ? confirmStep(c, error, 422) : see(c, '/settings/security/confirm');
  });

  // ---- shared ----

  async function loadUser(username: string) {
    try {
      return await twofold.getUser(username);
    } catch (error) {
      // an account made before Twofold kept its data (npm start with a fresh data dir)
      if (isTwofoldError(error) && error.code === 'user_not_found') return twofold.putUser(username, {});
      throw error;
    }
  }

  /** Switches the challenge to another method (or sends a new code); returns what went wrong, if anything. */
  async function switchMethod(challenge: PendingChallenge, asked: string | undefined): Promise<string | undefined> {
    const method = challenge.methods.find((m) => m === asked && m !== 'recovery_code');
    if (!method) return 'That method is not available.';
    try {
      const resent = await twofold.resendChallenge(challenge.challengeId, { method });
      challenge.resent = method === challenge.method && method !== 'totp';
      challenge.method = resent.method;
      challenge.destination = resent.destination;
      return undefined;
    } catch (error) {
      if (!isTwofoldError(error) || error.status >= 500) throw error;
      if (error.code === 'rate_limited') return `Wait ${error.retryAfterSeconds ?? 30} seconds before asking for another code.`;
      if (error.code === 'resend_limit_reached') return 'No more codes can be sent for this sign-in. Use another method or a recovery code.';
      return error.message;
    }
  }

  app.notFound((c) => show(c, errorPage(c.var.session ?? sessions.create(), 'Page not found', 'There is nothing at this address.'), 404));
  app.onError((error, c) => {
    const session = c.var.session ?? sessions.create();
    const cause = isTwofoldError(error) ? `Twofold answered ${error.status} ${error.code}` : error.message;
    // the code and status only: never a secret, code or key
    console.error(`demo: ${c.req.method} ${c.req.path} failed: ${cause}`);
    const unreachable = !isTwofoldError(error) && /fetch failed|ECONNREFUSED/.test(`${error.message} ${String(error.cause)}`);
    return show(
      c,
      errorPage(session, 'Something went wrong', unreachable ? 'Two-factor authentication is unavailable right now: the app cannot reach Twofold. Is Twofold (npm start) running?' : 'Please try again in a moment.'),
      502,
    );
  });

  return app;
}

function pending(challengeId: string, method: Method, methods: Method[], destination: string | undefined): PendingChallenge {
  return { challengeId, method, methods, ...(destination ? { destination } : {}) };
}

function allowedTypes(methods: readonly string[]): FactorType[] {
  return (['totp', 'sms', 'email'] as const).filter((t) => methods.includes(t));
}

function answerOf(form: Form): { code: string } | { recoveryCode: string } {
  return form.kind === 'recovery' ? { recoveryCode: (form.recoveryCode ?? '').trim() } : { code: (form.code ?? '').replace(/\s+/g, '') };
}

function remaining(error: TwofoldError): string {
  if (error.attemptsRemaining === undefined || error.attemptsRemaining === null) return '';
  if (error.attemptsRemaining === 0) return ' That was the last attempt for now: use a recovery code, or try again later.';
  return ` ${error.attemptsRemaining} ${error.attemptsRemaining === 1 ? 'attempt' : 'attempts'} left.`;
}

/** What to tell a person whose answer to a challenge was refused. */
function codeProblem(error: unknown): { text: string; status: 410 | 422 | 423 | 429; restart: boolean } {
  if (!isTwofoldError(error) || error.status >= 500) throw error;
  switch (error.code) {
    case 'invalid_code':
      return { text: `That code didn’t work.${remaining(error)}`, status: 422, restart: false };
    case 'invalid_request':
      return { text: 'Enter the 6-digit code, or a recovery code as you saved it.', status: 422, restart: false };
    case 'locked': {
      const minutes = Math.max(1, Math.ceil((error.retryAfterSeconds ?? 600) / 60));
      return { text: `Too many wrong codes. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, or ask your administrator to unlock your account.`, status: 423, restart: false };
    }
    case 'challenge_expired':
    case 'challenge_not_found':
    case 'challenge_already_verified':
      return { text: 'That took too long. Start again.', status: 410, restart: true };
    default:
      return { text: error.message, status: 422, restart: false };
  }
}
