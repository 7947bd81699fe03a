/** Importing users and their factors from another system (a migration): POST /v1/admin/imports. */
import * as z from 'zod/mini';
import { count, int, roles, text } from './build';
import { UserId } from './common';

/** At most this many users a request (the CLI sends a file in batches of this size or fewer). */
export const MAX_IMPORT_USERS = 1000;

const label = () => z.optional(text(1, 64)).check(z.meta({ description: 'A name the user will recognise the factor by (a default per type when omitted)' }));

/**
 * RFC 4648 base32, as authenticator apps and otpauth URIs carry it: case, spaces and `=` padding
 * do not matter. 16 characters (80 bits) at least: the size most deployed authenticators hold
 * (docs/import.md says why shorter than the 160 bits Twofold issues is accepted).
 */
export const ImportTotpSecret = z
  .pipe(
    z.pipe(
      z.string().check(z.maxLength(256)),
      z.transform((s: string) => s.replace(/[\s=]/g, '').toUpperCase()),
    ),
    z.string().check(z.regex(/^[A-Z2-7]{16,128}$/, 'secret must be base32 (RFC 4648), 16 to 128 characters')),
  )
  .check(z.meta({ description: 'The TOTP secret, base32 (RFC 4648; case, spaces and padding ignored), at least 16 characters (80 bits). Sealed on arrival, never returned' }));

export const ImportFactor = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('totp'),
    secret: ImportTotpSecret,
    algorithm: z._default(z.enum(['sha1', 'sha256', 'sha512']), 'sha1').check(z.meta({ description: 'HMAC algorithm (RFC 6238) the authenticator was set up with' })),
    digits: z._default(z.literal([6, 8]), 6).check(z.meta({ description: 'Digits of a code' })),
    period: z._default(z.literal([30, 60]), 30).check(z.meta({ description: 'Time step in seconds' })),
    label: label(),
  }),
  z.strictObject({ type: z.literal('sms'), phone: text(3, 32).check(z.meta({ description: 'The phone in international (E.164) format' })), label: label() }),
  z.strictObject({ type: z.literal('email'), email: z.email().check(z.maxLength(254)), label: label() }),
]);
export type ImportFactor = z.output<typeof ImportFactor>;

export const ImportUser = z
  .strictObject({
    userId: UserId,
    email: z.optional(z.email().check(z.maxLength(254))).check(z.meta({ description: 'Where email codes and notices go' })),
    phone: z.optional(text(3, 32)).check(z.meta({ description: 'A mobile number in international (E.164) format' })),
    roles: z.optional(roles()),
    factors: z.array(ImportFactor).check(z.minLength(1), z.maxLength(10), z.meta({ description: 'The factors the user proved to the old system: active at once' })),
    recoveryCodes: z
      .optional(z.array(text(1, 64)).check(z.minLength(1), z.maxLength(50)))
      .check(z.meta({ description: "The user's unused recovery codes from the old system (stored as keyed hashes; case, dashes and spaces do not matter)" })),
  })
  .check(z.meta({ id: 'ImportUser' }));
export type ImportUser = z.output<typeof ImportUser>;

export const ImportBody = z
  .strictObject({
    // each user is checked on its own (a malformed one is reported in `failed`, the others are imported): the array takes any item
    users: z
      .array(z.union([ImportUser, z.unknown()]))
      .check(z.minLength(1), z.maxLength(MAX_IMPORT_USERS), z.meta({ description: `1 to ${MAX_IMPORT_USERS} users; each is checked on its own: one that is not valid is reported in failed[] by its index and nothing of it is written` })),
  })
  .check(z.meta({ id: 'ImportBody' }));
export type ImportBody = z.output<typeof ImportBody>;

export const ImportFailure = z.object({
  index: count().check(z.meta({ description: "The user's position in users[] (0-based)" })),
  userId: z.nullable(z.string()).check(z.meta({ description: 'The userId the entry gave (null when it gave none)' })),
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ImportFailure = z.infer<typeof ImportFailure>;

export const ImportResult = z
  .object({
    imported: int().check(z.minimum(0), z.meta({ description: 'Users written: new ones, and known ones given a factor, recovery codes or a profile field they did not have' })),
    unchanged: int().check(z.minimum(0), z.meta({ description: 'Users that already had everything given (a repeated import): nothing written, no event' })),
    failed: z.array(ImportFailure).check(z.meta({ description: 'Users not imported, with why; nothing of them was written' })),
  })
  .check(z.meta({ id: 'ImportResult' }));
export type ImportResult = z.infer<typeof ImportResult>;
