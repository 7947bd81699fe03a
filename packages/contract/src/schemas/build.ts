/**
 * What every schema module builds with: English messages, and the field builders they share.
 * Not part of the contract's exports. (The schemas are split by resource so that a function's
 * bundle carries only the schemas its routes and ports use; schemas.ts names them all.)
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini has no default locale: without this every issue would read "Invalid input"
z.config(en());

export const isoTime = z.string().check(z.meta({ description: 'ISO-8601 UTC time', example: '2026-11-22T10:00:00.000Z' }));

/** Ids the service makes: a prefix, an underscore and base64url characters. */
export const opaqueId = (what: string, maxLength = 64) =>
  z.string().check(z.regex(new RegExp(`^[a-z]{1,3}_[A-Za-z0-9_-]{8,${maxLength}}$`), `${what} is not a valid id`), z.meta({ description: `Opaque ${what} made by the service` }));

/** A whole number (JSON Schema `integer`). */
export const int = () => z.number().check(z.int());
/** A count: a whole number, 0 or more. */
export const count = () => int().check(z.minimum(0));
/** A string of `min` to `max` characters. */
export const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
/**
 * Control characters (line breaks among them: a header or a line of a text ends there) and the
 * Unicode bidirectional controls (a right-to-left override makes "moc.elgoog" read as google.com).
 */
export const UNSAFE_IN_A_LINE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** One line of text a person reads (a name, a subject): no control or bidirectional-override characters. */
export const line = (min: number, max: number) =>
  text(min, max).check(z.refine((v) => !UNSAFE_IN_A_LINE.test(v), { message: 'may not contain line breaks, control characters or bidirectional overrides' }));
/** Role names, as the client app gives them. */
export const roles = () => z.array(text(1, 64)).check(z.maxLength(50));
