/**
 * Secrets at rest, through the real wiring on dynalite: the TOTP secret is stored sealed, never
 * in plain text, and a sealed secret copied into another user's record does not decrypt there.
 */
import { execFileSync } from 'node:child_process';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, userItem } from '@twofold/adapters';
import { confirmFactor, createChallenge, createTenant, startFactorEnrollment, verifyChallenge, type CoreDeps } from '@twofold/core';
import type { TotpEnrollment } from '@twofold/contract';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { ManualClock } from '../support/fakes';

const clock = new ManualClock();
let runtime: LocalRuntime;
let tenantId: string;

const oathtool = (secret: string, atMs: number) =>
  execFileSync('oathtool', ['--totp', '-b', secret, '--now', new Date(atMs).toISOString().replace('T', ' ').replace(/\..*/, ' UTC')]).toString().trim();

beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, clock });
  ({ tenantId } = await createTenant({ ...runtime.deps }, { name: 'Acme' }));
});
afterAll(() => runtime.stop());

describe('TOTP secrets at rest', () => {
  it('are stored sealed, and a ciphertext moved to another user fails to decrypt', async () => {
    const deps = runtime.deps;
    const enrolTotp = (d: CoreDeps, userId: string) => startFactorEnrollment(d, tenantId, userId, { type: 'totp' }) as Promise<TotpEnrollment>;
    const alice = await enrolTotp(deps, 'alice');
    await confirmFactor(deps, tenantId, 'alice', alice.factorId, { code: oathtool(alice.secret, clock.nowMs()) });

    const { Items = [] } = await deps.db.send(new ScanCommand({ TableName: deps.config.tables.secrets }));
    const dump = JSON.stringify(Items);
    expect(dump).not.toContain(alice.secret);
    expect(dump).not.toContain(Buffer.from(alice.secret).toString('base64'));

    // mallory enrols too, then her factor's sealed secret is overwritten with alice's
    const mallory = await enrolTotp(deps, 'mallory');
    clock.advanceSeconds(30);
    await confirmFactor(deps, tenantId, 'mallory', mallory.factorId, { code: oathtool(mallory.secret, clock.nowMs()) });
    const table = deps.config.tables.secrets;
    const aliceItem = (await deps.db.send(new GetCommand({ TableName: table, Key: { pk: keys.userPartition(tenantId, 'alice'), sk: userItem.factor(alice.factorId) } }))).Item!;
    const malloryKey = { pk: keys.userPartition(tenantId, 'mallory'), sk: userItem.factor(mallory.factorId) };
    const malloryItem = (await deps.db.send(new GetCommand({ TableName: table, Key: malloryKey }))).Item!;
    await deps.db.send(new PutCommand({ TableName: table, Item: { ...malloryItem, totp: aliceItem.totp } }));

    clock.advanceSeconds(30);
    const challenge = await createChallenge(deps, tenantId, 'mallory', {});
    // with alice's code: the moved ciphertext must not yield alice's secret for mallory
    await expect(verifyChallenge(deps, tenantId, challenge.challengeId!, { code: oathtool(alice.secret, clock.nowMs()) })).rejects.toMatchObject({ code: 'invalid_code' });
    // and alice, untouched, still logs in
    const hers = await createChallenge(deps, tenantId, 'alice', {});
    await expect(verifyChallenge(deps, tenantId, hers.challengeId!, { code: oathtool(alice.secret, clock.nowMs()) })).resolves.toMatchObject({ verified: true });
  });
});
