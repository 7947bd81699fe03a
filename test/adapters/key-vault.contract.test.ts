/**
 * One contract for every KeyVault adapter: the local one (a key file) and the KMS one (the real
 * adapter over an SDK client whose KMS is emulated, since no local KMS server exists), whose
 * exact requests are asserted too.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { KmsKeyVault, LocalKeyVault, nodeRandom } from '@twofold/adapters';
import type { KeyVault } from '@twofold/core';

/** A stand-in for KMS: wraps with AES-GCM and refuses a mismatched encryption context, as KMS does. */
function emulatedKms() {
  const master = randomBytes(32);
  const kms = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(kms);
  const aad = (ctx: Record<string, string> = {}) => Buffer.from(JSON.stringify(Object.entries(ctx).sort()));
  mock.on(GenerateDataKeyCommand).callsFake((input) => {
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', master, iv).setAAD(aad(input.EncryptionContext));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return { Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(Buffer.concat([iv, body, c.getAuthTag()])), KeyId: input.KeyId };
  });
  mock.on(DecryptCommand).callsFake((input) => {
    const raw = Buffer.from(input.CiphertextBlob);
    const d = createDecipheriv('aes-256-gcm', master, raw.subarray(0, 12)).setAAD(aad(input.EncryptionContext));
    d.setAuthTag(raw.subarray(raw.length - 16));
    try {
      return { Plaintext: new Uint8Array(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()])) };
    } catch {
      const error = new Error('InvalidCiphertextException');
      error.name = 'InvalidCiphertextException';
      throw error;
    }
  });
  return { kms, mock };
}

const adapters: [string, () => KeyVault][] = [
  ['LocalKeyVault', () => LocalKeyVault.fromFile(join(mkdtempSync(join(tmpdir(), 'tf-vault-')), 'master.key'), nodeRandom)],
  ['KmsKeyVault', () => new KmsKeyVault(emulatedKms().kms, 'alias/twofold')],
];

describe.each(adapters)('KeyVault contract: %s', (_, make) => {
  it('makes a 256-bit data key that unwraps to itself under the same context', async () => {
    const vault = make();
    const { plaintext, wrapped } = await vault.generateDataKey({ tenantId: 'tn_a' });
    expect(plaintext.length).toBe(32);
    expect(wrapped).not.toContain(Buffer.from(plaintext).toString('base64'));
    expect(Buffer.from(await vault.decryptDataKey(wrapped, { tenantId: 'tn_a' }))).toEqual(Buffer.from(plaintext));
  });

  it('refuses to unwrap under another context', async () => {
    const vault = make();
    const { wrapped } = await vault.generateDataKey({ tenantId: 'tn_a' });
    await expect(vault.decryptDataKey(wrapped, { tenantId: 'tn_b' })).rejects.toThrow();
  });

  it('makes a different key each time', async () => {
    const vault = make();
    const a = await vault.generateDataKey({ tenantId: 'tn_a' });
    const b = await vault.generateDataKey({ tenantId: 'tn_a' });
    expect(Buffer.from(a.plaintext)).not.toEqual(Buffer.from(b.plaintext));
  });
});

describe('KmsKeyVault requests', () => {
  it('asks KMS for an AES-256 data key and decrypts with the same key id and context', async () => {
    const { kms, mock } = emulatedKms();
    const vault = new KmsKeyVault(kms, 'arn:aws:kms:eu-west-1:111122223333:key/abc');
    const { wrapped } = await vault.generateDataKey({ purpose: 'twofold-data-key', tenantId: 'tn_a' });
    await vault.decryptDataKey(wrapped, { purpose: 'twofold-data-key', tenantId: 'tn_a' });
    expect(mock.commandCalls(GenerateDataKeyCommand).map((c) => c.args[0].input)).toEqual([
      { KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc', KeySpec: 'AES_256', EncryptionContext: { purpose: 'twofold-data-key', tenantId: 'tn_a' } },
    ]);
    const decrypts = mock.commandCalls(DecryptCommand).map((c) => c.args[0].input);
    expect(decrypts).toHaveLength(1);
    expect(decrypts[0]).toMatchObject({ KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc', EncryptionContext: { purpose: 'twofold-data-key', tenantId: 'tn_a' } });
    expect(Buffer.from(decrypts[0]!.CiphertextBlob!).toString('base64')).toBe(wrapped);
  });
});

describe('LocalKeyVault key file', () => {
  it('is made on first start with mode 0600 and reused after', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tf-vault-')), 'nested', 'master.key');
    const first = LocalKeyVault.fromFile(path, nodeRandom);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { wrapped, plaintext } = await first.generateDataKey({ tenantId: 't' });
    const again = LocalKeyVault.fromFile(path, nodeRandom);
    expect(Buffer.from(await again.decryptDataKey(wrapped, { tenantId: 't' }))).toEqual(Buffer.from(plaintext));
  });
});
