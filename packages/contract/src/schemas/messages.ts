/**
 * What a tenant may say in the codes it sends: its own templates for the SMS and the email, the
 * name they show, the email's From display name, and the language of the built-in texts when the
 * user has none (a `locale` on the user, BCP 47). Templates take the placeholders {code},
 * {minutes} (how long the code is valid) and {appName}; one that sends a code must contain {code}.
 */
import * as z from 'zod/mini';
import { line, text, UNSAFE_IN_A_LINE } from './build';

export const PLACEHOLDERS = ['code', 'minutes', 'appName'] as const;

const unknownPlaceholder = (template: string) => [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!).find((name) => !(PLACEHOLDERS as readonly string[]).includes(name));

/**
 * A template of `min` to `max` characters, with only the known placeholders: {code} where it
 * carries the code (`code: 'required'`), never in a subject (`'forbidden'`: a subject shows in
 * notification previews and mail logs). A one-line template (a subject) takes no line breaks,
 * control characters or bidirectional overrides.
 */
const template = (max: number, options: { code: 'required' | 'forbidden'; oneLine?: boolean; description: string }) =>
  text(1, max).check(
    z.refine((t) => unknownPlaceholder(t) === undefined, { message: `use only the placeholders ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}` }),
    z.refine((t) => options.code !== 'required' || t.includes('{code}'), { message: 'must contain {code}: the message is sent to carry the code' }),
    z.refine((t) => options.code !== 'forbidden' || !t.includes('{code}'), { message: 'may not contain {code}: a subject shows in notification previews and mail logs' }),
    z.refine((t) => !options.oneLine || !UNSAFE_IN_A_LINE.test(t), { message: 'may not contain line breaks, control characters or bidirectional overrides' }),
    z.meta({ description: options.description }),
  );

/** A BCP 47 language tag (`fr`, `fr-CA`, `pt-BR`), as Intl understands it. */
export const Locale = z
  .string()
  .check(
    z.maxLength(35),
    z.refine(
      (tag) => {
        try {
          return /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag) && Intl.getCanonicalLocales(tag).length === 1;
        } catch {
          return false;
        }
      },
      { message: 'must be a BCP 47 language tag such as "fr" or "fr-CA"' },
    ),
    z.meta({ description: 'BCP 47 language tag, e.g. fr or fr-CA (a language without its own texts falls back to the language, then to the tenant default)', example: 'fr-CA' }),
  );

/** A display name in an email header: printable, without what would end or break the header. */
const displayName = line(1, 64).check(
  z.regex(/^[^<>"\\@]+$/u, 'may not contain <, >, ", \\ or @'),
  z.meta({ description: "The email's From display name (the address stays the deployment's verified SES identity); default: the deployment's" }),
);

export const MessageSettings = z.strictObject({
  appName: z.optional(line(1, 64)).check(z.meta({ description: "{appName} in the texts; default: the tenant's name" })),
  defaultLocale: z._default(Locale, 'en').check(z.meta({ description: 'The language of the built-in texts for users without a locale' })),
  sms: z.prefault(
    z.strictObject({ template: z.optional(template(300, { code: 'required', description: 'The text message; default: the built-in text in the user\'s language' })) }),
    {},
  ),
  email: z.prefault(
    z.strictObject({
      subject: z.optional(template(150, { code: 'forbidden', oneLine: true, description: 'The subject; default: the built-in one in the user\'s language' })),
      text: z.optional(template(2000, { code: 'required', description: 'The body (plain text; the HTML part is made from it); default: the built-in one' })),
      fromName: z.optional(displayName),
    }),
    {},
  ),
});
export type MessageSettings = z.infer<typeof MessageSettings>;
