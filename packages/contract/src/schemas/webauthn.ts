/**
 * Passkeys and security keys (WebAuthn Level 3): the JSON forms of the options a browser takes
 * (`PublicKeyCredential.parseCreationOptionsFromJSON()` / `parseRequestOptionsFromJSON()`) and of
 * the credentials it gives back (`credential.toJSON()`). Client apps pass them through unchanged;
 * the service checks their contents (a response whose contents are wrong is 422
 * `invalid_credential`, not a schema error), so the response schemas only say what to expect:
 * any object passes, and the service checks the rest.
 * https://www.w3.org/TR/webauthn-3/#dictdef-publickeycredentialcreationoptionsjson
 */
import * as z from 'zod/mini';

/** base64url without padding, as WebAuthn's JSON forms encode bytes. */
const bytes = (description: string) => z.string().check(z.maxLength(8192), z.meta({ description: `${description} (base64url)` }));
const descriptor = z.object({ id: bytes('Credential id'), type: z.string().check(z.meta({ description: 'public-key' })), transports: z.optional(z.array(z.string())) });

export const UserVerification = z.enum(['preferred', 'required']);

export const CreationOptionsJSON = z
  .object({
    rp: z.object({ id: z.optional(z.string()), name: z.string() }),
    user: z.object({ id: bytes('An opaque user handle, never the userId'), name: z.string(), displayName: z.string() }),
    challenge: bytes('At least 16 random bytes'),
    pubKeyCredParams: z.array(z.object({ type: z.string(), alg: z.number().check(z.meta({ description: 'COSE algorithm: -7 ES256, -257 RS256' })) })),
    timeout: z.optional(z.number()),
    excludeCredentials: z.optional(z.array(descriptor)),
    authenticatorSelection: z.optional(z.object({ residentKey: z.optional(z.string()), userVerification: z.optional(z.string()) })),
    attestation: z.optional(z.string()),
  })
  .check(z.meta({ id: 'PublicKeyCredentialCreationOptionsJSON', description: 'Give to PublicKeyCredential.parseCreationOptionsFromJSON(), then navigator.credentials.create({ publicKey })' }));
export type CreationOptionsJSON = z.infer<typeof CreationOptionsJSON>;

export const RequestOptionsJSON = z
  .object({
    challenge: bytes('At least 16 random bytes'),
    rpId: z.optional(z.string()),
    allowCredentials: z.optional(z.array(descriptor)),
    userVerification: z.optional(z.string()),
    timeout: z.optional(z.number()),
  })
  .check(z.meta({ id: 'PublicKeyCredentialRequestOptionsJSON', description: 'Give to PublicKeyCredential.parseRequestOptionsFromJSON(), then navigator.credentials.get({ publicKey })' }));
export type RequestOptionsJSON = z.infer<typeof RequestOptionsJSON>;

const responseFields = {
  id: z.optional(z.string().check(z.maxLength(1024))),
  rawId: z.optional(z.string().check(z.maxLength(1024))),
  type: z.optional(z.string()),
  authenticatorAttachment: z.optional(z.nullable(z.string())),
  clientExtensionResults: z.optional(z.looseObject({})),
};

export const RegistrationResponseJSON = z
  .looseObject({
    ...responseFields,
    response: z.optional(
      z.looseObject({ clientDataJSON: z.optional(bytes('clientDataJSON')), attestationObject: z.optional(bytes('attestationObject')), transports: z.optional(z.array(z.string())) }),
    ),
  })
  .check(z.meta({ id: 'RegistrationResponseJSON', description: 'What credential.toJSON() gives after navigator.credentials.create()' }));
export type RegistrationResponseJSON = z.infer<typeof RegistrationResponseJSON>;

export const AuthenticationResponseJSON = z
  .looseObject({
    ...responseFields,
    response: z.optional(
      z.looseObject({
        clientDataJSON: z.optional(bytes('clientDataJSON')),
        authenticatorData: z.optional(bytes('authenticatorData')),
        signature: z.optional(bytes('signature')),
        userHandle: z.optional(z.nullable(bytes('userHandle'))),
      }),
    ),
  })
  .check(z.meta({ id: 'AuthenticationResponseJSON', description: 'What credential.toJSON() gives after navigator.credentials.get()' }));
export type AuthenticationResponseJSON = z.infer<typeof AuthenticationResponseJSON>;
