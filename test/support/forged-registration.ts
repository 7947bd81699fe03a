/**
 * WebAuthn responses made in Node rather than by an authenticator: what an attacker who controls
 * their own client sends. Packed exactly as WebAuthn says (clientDataJSON; authData with the
 * attested credential and a `none` attestation object in CBOR for a registration; authData and an
 * ES256 signature over it and the client data's hash for an authentication), with a fresh P-256
 * key and a credential id the caller chooses — such as one another user already registered — and
 * client data the caller may bend (`crossOrigin: true`).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { Json } from './api';

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const UP_UV = 0x05; // user present, user verified
const AT = 0x40; // attested credential data follows

export interface Bend {
  crossOrigin?: boolean;
}

export class ForgedAuthenticator {
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private counter = 0;

  constructor(readonly credentialId: Buffer) {}

  /** A registration response for navigator.credentials.create()'s options. */
  register(options: Json, origin: string, bend: Bend = {}): Json {
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, origin, bend);
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(String(jwk.x), 'base64url')],
        [-3, Buffer.from(String(jwk.y), 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([this.authHeader(String(options.rp.id), UP_UV | AT), Buffer.alloc(16) /* AAGUID: none */, idLength, this.credentialId, Buffer.from(cose)]);
    const attestationObject = isoCBOR.encode(new Map<string, string | Map<string, string> | Uint8Array>([['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', authData]]));
    return this.credential({ clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] });
  }

  /** An authentication response for navigator.credentials.get()'s options. */
  authenticate(options: Json, origin: string, bend: Bend = {}): Json {
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, origin, bend);
    const authenticatorData = this.authHeader(String(options.rpId), UP_UV);
    const signature = sign('sha256', Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]), this.keys.privateKey);
    return this.credential({ clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authenticatorData), signature: b64url(signature) });
  }

  private clientData(type: string, challenge: unknown, origin: string, bend: Bend) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: bend.crossOrigin ?? false }));
  }

  /** rpIdHash, flags, the signature counter (moved on with each response). */
  private authHeader(rpId: string, flags: number) {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter++);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flags]), count]);
  }

  private credential(response: Json): Json {
    const id = b64url(this.credentialId);
    return { id, rawId: id, type: 'public-key', response, clientExtensionResults: {}, authenticatorAttachment: 'platform' };
  }
}

/** A registration from a fresh forged authenticator holding `credentialId`. */
export const forgedRegistration = (options: Json, origin: string, credentialId: Buffer, bend: Bend = {}): Json => new ForgedAuthenticator(credentialId).register(options, origin, bend);
