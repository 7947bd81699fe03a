/**
 * Fresh-verification assertions: a verified challenge returns a JWT (ES256) that says "this
 * user of this tenant passed a second factor at auth_time", which a client app can check
 * offline against /.well-known/jwks.json (before it creates an API token, say) and which
 * Twofold itself asks for before sensitive operations.
 *
 * The signing key is made once per deployment; its private half is sealed under a data key
 * that the KeyVault (KMS) protects, unsealed once per container: no KMS call per signature.
 */
import { createPrivateKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose';
import type { Method } from '@twofold/contract/schemas';
import type { Clock, KeyVault, Random, SigningKeyStore } from '../ports';

export type { SigningKeyRecord, SigningKeyStore } from '../ports';
import { fail } from '../errors';
import { open, seal } from '../secret-box';

export const ASSERTION_ALG = 'ES256';

/** The KMS encryption context of the signing key's data key (infra grants Decrypt and GenerateDataKey under exactly this). */
export const signingKeyContext = { purpose: 'twofold-signing-key' } as const;
const binding = (kid: string) => ['assertion-signing-key', kid] as const;

export interface AssertionClaims extends JWTPayload {
  sub: string;
  tid: string;
  /** One value per method (amrOf): RFC 8176's otp, sms, hwk, and email for an email code. */
  amr: string[];
  /** Twofold's own name of the method (the contract's Method), which RFC 8176 cannot say for email codes and recovery codes. */
  twofold_method?: Method;
  /** Absent from assertions signed before it was added. */
  acr?: 'phr' | 'mfa';
  auth_time: number;
  /** The challenge id: an assertion spent on a sensitive operation is recorded by it (fresh-verification.ts). */
  jti: string;
  /**
   * The user's security epoch when the assertion was made (UserProfile.securityEpoch): a reset,
   * two-factor off, a removed factor, new recovery codes or erasure move it, and a sensitive
   * operation refuses an assertion of an earlier one.
   */
  epoch?: string;
  /** Echoed from the challenge request: binds the assertion to one client app (`audience`) and one login attempt (`nonce`). */
  aud?: string;
  nonce?: string;
}

/**
 * Authentication method references, one per method so that a relying party can tell them apart:
 * RFC 8176's `otp` (a TOTP code; a recovery code, a look-up secret, is a one-time password
 * too), `sms` (a code sent to a registered number) and `hwk` (proof of possession of a key held
 * by an authenticator); and `email` for an email code, which RFC 8176 has no value for and which
 * must not read as `otp`, let alone `mfa`: NIST SP 800-63B-4 §3.1.3 says email shall not be used
 * as an out-of-band authenticator. The method itself is in `twofold_method`.
 */
const amrOf: Record<Method, string[]> = { totp: ['otp'], sms: ['sms'], email: ['email'], webauthn: ['hwk'], recovery_code: ['otp'] };
/**
 * Authentication context class (OpenID Connect EAP ACR values 1.0): `phr` (phishing-resistant)
 * after a passkey or security key, whose signature is bound to the origin; `mfa` after another
 * second factor — but not after an email code unless the tenant accepts it as one (NIST SP
 * 800-63B-4 §3.1.3: email is not an out-of-band authenticator): none then.
 */
export const acrOf = (method: Method, emailCountsAsMfa: boolean): 'phr' | 'mfa' | undefined =>
  method === 'webauthn' ? 'phr' : method === 'email' && !emailCountsAsMfa ? undefined : 'mfa';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Makes the deployment's signing key if it has none: with the first tenant (core/tenancy/tenants.ts
 * createTenant, run by the operator's tenant CLI or the local runtime), so that no function
 * ever needs to write it. A conditional create: of two at once, one wins and the other keeps
 * the winner's.
 */
export async function ensureSigningKey(deps: { signingKeys: SigningKeyStore; vault: KeyVault; random: Random; clock: Clock }): Promise<void> {
  if (await deps.signingKeys.getSigningKey()) return;
  const { privateKey, publicKey } = await generateKeyPair(ASSERTION_ALG, { extractable: true });
  const kid = Buffer.from(deps.random.bytes(12)).toString('base64url');
  const dataKey = await deps.vault.generateDataKey(signingKeyContext);
  const privateJwk = await exportJWK(privateKey);
  await deps.signingKeys.createSigningKey({
    kid,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ASSERTION_ALG, use: 'sig' },
    sealedPrivateJwk: seal(dataKey.plaintext, deps.random, Buffer.from(JSON.stringify(privateJwk)), binding(kid)),
    wrappedDataKey: dataKey.wrapped,
    createdAtMs: deps.clock.nowMs(),
  });
}

export class AssertionSigner {
  private key?: Promise<{ kid: string; privateKey: KeyObject; publicJwk: JWK } | undefined>;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly vault: KeyVault,
    readonly issuer: string,
  ) {}

  /**
   * The signing key, read and unsealed once per container; undefined while the deployment has
   * none yet (not remembered: the next call reads again), and a failed read is tried again too.
   */
  private async current() {
    this.key ??= this.readKey();
    const key = await this.key.catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    if (!key) this.key = undefined;
    return key;
  }

  private async readKey() {
    // the functions that sign may only read it (infra/function-needs.ts): the first tenant's creation made it
    const record = await this.store.getSigningKey();
    if (!record) return undefined;
    const dataKey = await this.vault.decryptDataKey(record.wrappedDataKey, signingKeyContext);
    const privateJwk = JSON.parse(Buffer.from(open(dataKey, record.sealedPrivateJwk, binding(record.kid))).toString('utf8')) as JsonWebKey;
    return { kid: record.kid, privateKey: createPrivateKey({ key: privateJwk, format: 'jwk' }), publicJwk: record.publicJwk };
  }

  private async load() {
    return (await this.current()) ?? fail('service_unavailable', 'This deployment has no signing key yet: create a tenant first (npm run tenant:create makes it).');
  }

  /** The public half of the signing key: what assertions are checked against. */
  async publicJwk(): Promise<JWK> {
    return (await this.load()).publicJwk;
  }

  /** The key set: empty while the deployment has no signing key (no tenant yet). */
  async jwks(): Promise<{ keys: JWK[] }> {
    const key = await this.current();
    return { keys: key ? [key.publicJwk] : [] };
  }

  async sign(input: {
    tenantId: string;
    userId: string;
    method: Method;
    challengeId: string;
    authTimeMs: number;
    /** How long a client app may rely on it: the policy's freshVerificationSeconds. */
    lifetimeSeconds: number;
    epoch: string | undefined;
    audience?: string | undefined;
    nonce?: string | undefined;
    /** The policy's assurance.emailCountsAsMfa. */
    emailCountsAsMfa: boolean;
  }): Promise<string> {
    const { kid, privateKey } = await this.load();
    // signing is CPU work: it waits for the event loop's next turn, so that a caller who starts a
    // request and then signs (the login's write: verification.ts) has the request on its way
    // first, and the signature is made during its round trip
    await new Promise<void>((resolve) => setImmediate(resolve));
    const authTime = Math.floor(input.authTimeMs / 1000);
    const acr = acrOf(input.method, input.emailCountsAsMfa);
    const claims: AssertionClaims & { iss: string; iat: number; exp: number } = {
      tid: input.tenantId,
      amr: amrOf[input.method],
      twofold_method: input.method,
      ...(acr !== undefined ? { acr } : {}),
      ...(input.epoch !== undefined ? { epoch: input.epoch } : {}),
      ...(input.audience !== undefined ? { aud: input.audience } : {}),
      ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
      auth_time: authTime,
      iss: this.issuer,
      sub: input.userId,
      jti: input.challengeId,
      iat: authTime,
      exp: authTime + input.lifetimeSeconds,
    };
    // JWS compact serialization (RFC 7515 §7.1) signed with node:crypto on the KeyObject:
    // synchronous, where jose's WebCrypto signing is a job per signature (it showed as a
    // noticeable share of a verification's CPU in profiles). The tests check every assertion
    // with jose's jwtVerify against the JWKS.
    const signingInput = `${base64url({ alg: ASSERTION_ALG, kid, typ: 'JWT' })}.${base64url(claims)}`;
    // ES256: ECDSA P-256 over SHA-256, the signature as r || s (RFC 7518 §3.4)
    const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}
