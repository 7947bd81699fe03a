/**
 * The factor types and what each does (factor-kind.ts): a new type of factor is one entry here.
 * Recovery codes are not a factor type: they are one set on the user, made with the first
 * active factor and used in place of any (factors/recovery/).
 */
import type { FactorType } from '@twofold/contract/schemas';
import { email, sms } from './codes/code-kinds';
import type { FactorKind } from './factor-kind';
import { totp } from './totp/totp-kind';
import { webauthn } from './webauthn/webauthn-kind';

export const factorKinds: { [T in FactorType]: FactorKind<T> } = { totp, sms, email, webauthn };

/** The kind of a factor type, for a caller that holds a factor (or a body) of any type. */
export const kindOf = (type: FactorType): FactorKind => factorKinds[type];
