/**
 * The Settings form, described: the policy's fields in the groups of the Magentrix settings
 * page (master switch, enforcement, when to ask, methods, codes and limits) and the others'
 * (recovery codes, authenticator app, SMS, passkeys). The form is drawn from the policy the API
 * returns: a group whose fields the policy does not have is left out (passkeys before that
 * feature), and a field this list does not name still gets a control under "Other settings".
 */
import type { Policy } from '@twofold/contract/schemas';

export type Control =
  | { kind: 'checkbox' }
  | { kind: 'select'; options: readonly (readonly [value: string | number | null, label: string])[] }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'text'; maxLength?: number; nullable?: boolean; placeholder?: string; /** empty removes the field (an optional one) */ omitEmpty?: boolean }
  | { kind: 'list'; upper?: boolean; placeholder?: string }
  | { kind: 'methods' }
  | { kind: 'date' }
  | { kind: 'json' };

export interface FieldSpec {
  /** Where the value sits in the policy: `enforcement.mode`. */
  path: string;
  label: string;
  help?: string;
  /** Spans the whole row of its group (a select whose options are long). */
  wide?: boolean;
  control: Control;
}

export interface GroupSpec {
  title: string;
  description?: string;
  fields: FieldSpec[];
}

/** Options typed by the policy's own field: a value the contract does not allow does not compile. */
const options = <T extends string | number | null>(...entries: (readonly [T, string])[]) => entries;

/** Every method a policy may name, in the order they are offered. */
export const methodLabels: Record<string, string> = {
  totp: 'Authenticator app',
  email: 'Email',
  sms: 'SMS',
  webauthn: 'Passkey or security key',
};

/** The checkbox of each method in "Allowed methods" (the Magentrix page's names). */
export const allowLabels: Record<string, string> = {
  totp: 'Allow authenticator app',
  email: 'Allow email verification',
  sms: 'Allow SMS verification',
  webauthn: 'Allow passkeys and security keys',
};

/** Methods this deployment's policy knows: passkeys once the policy has their settings. */
export const knownMethods = (policy: Record<string, unknown>) => Object.keys(methodLabels).filter((m) => m !== 'webauthn' || 'webauthn' in policy);

export const groups: GroupSpec[] = [
  {
    title: 'Two-factor authentication',
    fields: [
      {
        path: 'enabled',
        label: 'Enable two-factor authentication',
        help: 'The master switch. When off, no user is asked for a second factor, whatever the settings below say.',
        control: { kind: 'checkbox' },
      },
    ],
  },
  {
    title: 'Enforcement',
    description: 'Who must use two-factor, and how long newly covered users have to enrol.',
    fields: [
      {
        path: 'enforcement.mode',
        label: 'Require two-factor for',
        control: {
          kind: 'select',
          options: options<Policy['enforcement']['mode']>(['optional', 'Nobody: optional for everyone'], ['roles', 'Users with the roles below'], ['all', 'Every user']),
        },
      },
      { path: 'enforcement.roles', label: 'Roles that must use two-factor', help: 'Separate roles with commas, e.g. admin, finance.', control: { kind: 'list', placeholder: 'admin, finance' } },
      { path: 'enforcement.exemptSso', label: 'Exempt users who sign in with SSO', control: { kind: 'checkbox' } },
      { path: 'enforcement.gracePeriodDays', label: 'Grace period (days)', help: 'How long a user who must enrol may still sign in without two-factor.', control: { kind: 'number', min: 0, max: 365 } },
      {
        path: 'enforcement.graceEndsAt',
        label: 'Grace period ends on',
        help: 'Optional: one date for everyone (00:00 UTC) instead of a number of days. Leave empty to use the days.',
        control: { kind: 'date' },
      },
    ],
  },
  {
    title: 'When to ask',
    description: 'Every sign-in, or only from devices and networks the user has not verified from before.',
    fields: [
      {
        path: 'prompt',
        label: 'When to ask for a second factor',
        // a wide field: "Enforcement" above is who must use two-factor, this is when they are asked
        wide: true,
        control: {
          kind: 'select',
          options: options<Policy['prompt']>(['every_login', 'At every sign-in'], ['unrecognized_devices', 'Only on unrecognized devices (risk-based)']),
        },
      },
      { path: 'trustedDevices.enabled', label: 'Let users trust a device', help: '"Remember this device" at sign-in.', control: { kind: 'checkbox' } },
      { path: 'trustedDevices.days', label: 'Trust a device for (days)', control: { kind: 'number', min: 1, max: 365 } },
      { path: 'emailCodeOnUnrecognizedDevice', label: 'Email a code on unrecognized devices to users without two-factor', control: { kind: 'checkbox' } },
    ],
  },
  {
    title: 'Verification methods',
    description: 'The methods users may enrol and sign in with.',
    fields: [
      { path: 'methods.allowed', label: 'Allowed methods', control: { kind: 'methods' } },
      { path: 'methods.default', label: 'Default method', help: 'The method users are asked for first.', control: { kind: 'select', options: [] } },
      { path: 'methods.allowFallback', label: 'Allow fallback methods', help: 'Users who cannot use their default method may use another allowed one.', control: { kind: 'checkbox' } },
      {
        path: 'methods.roleRules',
        label: 'Methods by role',
        help: 'Advanced, as JSON: users with a role named here may use only that rule\'s methods, e.g. [{"role": "admin", "allowed": ["totp"]}]. [] for none.',
        wide: true,
        control: { kind: 'json' },
      },
      {
        path: 'authenticatorEnrollment',
        label: 'Authenticator enrollment',
        control: { kind: 'select', options: options<Policy['authenticatorEnrollment']>(['optional', 'Optional'], ['required', 'Required at next sign-in']) },
      },
    ],
  },
  {
    title: 'Codes and limits',
    fields: [
      {
        path: 'codeTimeoutSeconds',
        label: 'Security code timeout',
        help: 'How long an SMS or email code stays valid.',
        control: {
          kind: 'select',
          options: options<Policy['codeTimeoutSeconds']>(
            [120, '2 minutes'],
            [300, '5 minutes'],
            [600, '10 minutes'],
            [900, '15 minutes'],
            [1800, '30 minutes'],
            [3600, '60 minutes'],
            [14400, '4 hours'],
            [43200, '12 hours'],
          ),
        },
      },
      {
        path: 'maxInvalidAttempts',
        label: 'Maximum invalid attempts',
        help: 'Wrong codes before the user is locked out.',
        control: { kind: 'select', options: options<Policy['maxInvalidAttempts']>([3, '3'], [5, '5'], [10, '10'], [null, 'No limit']) },
      },
      { path: 'lockoutSeconds', label: 'Lockout duration (seconds)', help: 'How long a lockout lasts; an admin can unlock sooner.', control: { kind: 'number', min: 60, max: 86400 } },
      {
        path: 'resendLimit',
        label: 'Resend limit',
        help: 'New codes a user may ask for per sign-in.',
        control: { kind: 'select', options: options<Policy['resendLimit']>([3, '3'], [5, '5'], [null, 'No limit']) },
      },
      {
        path: 'freshVerificationSeconds',
        label: 'Fresh verification window (seconds)',
        help: 'How recent a verification must be to remove a factor or make new recovery codes.',
        control: { kind: 'number', min: 30, max: 3600 },
      },
      {
        path: 'assurance.emailCountsAsMfa',
        label: 'Count an email code as multi-factor (acr "mfa")',
        help: 'NIST SP 800-63B-4 does not accept email as a second factor; leave off unless your risk review accepts it.',
        control: { kind: 'checkbox' },
      },
    ],
  },
  {
    title: 'Audit log',
    fields: [{ path: 'auditRetentionDays', label: 'Keep audit entries for (days)', help: "Older entries of a user's audit log are deleted.", control: { kind: 'number', min: 30, max: 3650 } }],
  },
  {
    title: 'Messages',
    description: 'The SMS and email texts users receive.',
    fields: [
      { path: 'messages.appName', label: 'App name in messages', help: "Empty uses the workspace's name.", control: { kind: 'text', maxLength: 64, omitEmpty: true } },
      { path: 'messages.defaultLocale', label: 'Default language', help: 'For users without a language of their own, e.g. en, fr, de.', control: { kind: 'text', maxLength: 35, placeholder: 'en' } },
      { path: 'messages.sms.template', label: 'SMS text', help: 'Must contain {code}. Empty uses the built-in text.', wide: true, control: { kind: 'text', maxLength: 300, omitEmpty: true } },
      { path: 'messages.email.subject', label: 'Email subject', help: 'Empty uses the built-in subject.', control: { kind: 'text', maxLength: 150, omitEmpty: true } },
      { path: 'messages.email.fromName', label: 'Email sender name', help: 'Empty uses the built-in name.', control: { kind: 'text', maxLength: 64, omitEmpty: true } },
    ],
  },
  {
    title: 'Recovery codes',
    fields: [{ path: 'recoveryCodes.count', label: 'Recovery codes per set', control: { kind: 'number', min: 5, max: 16 } }],
  },
  {
    title: 'Authenticator app (TOTP)',
    description: 'Changing these affects authenticators enrolled from now on.',
    fields: [
      { path: 'totp.issuer', label: 'Issuer name', help: 'The name authenticator apps show. Keep it stable once users have enrolled.', control: { kind: 'text', maxLength: 64 } },
      { path: 'totp.digits', label: 'Code length', control: { kind: 'select', options: options<Policy['totp']['digits']>([6, '6 digits'], [8, '8 digits']) } },
      { path: 'totp.period', label: 'Time step', control: { kind: 'select', options: options<Policy['totp']['period']>([30, '30 seconds'], [60, '60 seconds']) } },
      { path: 'totp.algorithm', label: 'Algorithm', control: { kind: 'select', options: options<Policy['totp']['algorithm']>(['sha1', 'SHA-1'], ['sha256', 'SHA-256'], ['sha512', 'SHA-512']) } },
      { path: 'totp.window', label: 'Clock drift tolerance (steps)', help: 'Codes accepted before and after the current one.', control: { kind: 'number', min: 0, max: 2 } },
    ],
  },
  {
    title: 'SMS',
    fields: [
      {
        path: 'sms.allowedCountries',
        label: 'Allowed countries',
        help: 'Two-letter country codes, e.g. FR, GB, US. Empty allows every country.',
        control: { kind: 'list', upper: true, placeholder: 'FR, GB, US' },
      },
    ],
  },
  {
    title: 'Passkeys',
    description: 'Passkeys and security keys (WebAuthn) for your client app.',
    fields: [
      { path: 'webauthn.rpId', label: 'Relying party ID', help: "Your app's domain, e.g. example.com.", control: { kind: 'text', nullable: true, placeholder: 'example.com' } },
      { path: 'webauthn.rpName', label: 'Relying party name', help: 'Empty uses the issuer name.', control: { kind: 'text', nullable: true } },
      { path: 'webauthn.origins', label: 'Allowed origins', help: 'The exact origins your pages run on, comma-separated.', control: { kind: 'list', placeholder: 'https://app.example.com' } },
      { path: 'webauthn.userVerification', label: 'User verification', control: { kind: 'select', options: [['preferred', 'Preferred'], ['required', 'Required']] } },
    ],
  },
  {
    title: 'Hosted prompt',
    description: "Twofold's own sign-in pages (docs/prompt.md): where they may send users back, and how they look.",
    fields: [
      { path: 'hostedPrompt.redirectUris', label: 'Redirect URIs', help: 'The exact callback URIs of your app, comma-separated (https; http only on localhost).', wide: true, control: { kind: 'list', placeholder: 'https://app.example.com/2fa/callback' } },
      { path: 'hostedPrompt.branding.name', label: 'Name on the pages', help: 'Empty uses the app name in messages, else the workspace name.', control: { kind: 'text', maxLength: 64, omitEmpty: true } },
      { path: 'hostedPrompt.branding.logoUrl', label: 'Logo URL', help: 'An https image shown above the card.', control: { kind: 'text', maxLength: 2000, omitEmpty: true, placeholder: 'https://app.example.com/logo.svg' } },
      { path: 'hostedPrompt.branding.color', label: 'Button colour', help: 'A colour like #4f46e5. Empty uses the default.', control: { kind: 'text', maxLength: 7, omitEmpty: true, placeholder: '#4f46e5' } },
    ],
  },
];

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function valueAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (isPlainObject(o) ? o[k] : undefined), obj);
}

export function hasPath(obj: unknown, path: string): boolean {
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce<unknown>((o, k) => (isPlainObject(o) ? o[k] : undefined), obj);
  return isPlainObject(parent) && keys[keys.length - 1]! in parent;
}

export function setAt(obj: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isPlainObject(o[k])) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
}

/** Every leaf of the policy (a value that is not a plain object), by path. */
export function leafPaths(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (isPlainObject(v) ? leafPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

/** A control for a field this list does not name, from its value's type. */
export function genericField(path: string, value: unknown): FieldSpec {
  const control: Control =
    typeof value === 'boolean'
      ? { kind: 'checkbox' }
      : typeof value === 'number'
        ? { kind: 'number' }
        : typeof value === 'string'
          ? { kind: 'text' }
          : Array.isArray(value) && value.every((v) => typeof v === 'string')
            ? { kind: 'list' }
            : { kind: 'json' };
  return { path, label: labelFor(path), control, ...(control.kind === 'json' ? { help: 'As JSON.' } : {}) };
}

/** Words from a path this list does not name: `messages.email.fromName` → "Email from name". */
export function labelFor(path: string): string {
  const words = path
    .split('.')
    .slice(-2)
    .filter((k) => k !== 'messages')
    .join(' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
