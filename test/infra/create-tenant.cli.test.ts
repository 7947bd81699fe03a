/**
 * `npm run tenant:create` against dynalite through the real DynamoDB adapter, with the local
 * key vault standing in for KMS: the printed keys authenticate with their scope, the tenant's
 * data key unwraps only for it, and the directory holds hashes, never a key.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, DynamoApiKeyStore, DynamoTenantDirectory, LocalKeyVault, nodeRandom, systemClock } from '@twofold/adapters';
import { ApiKeyAuthenticator, dataKeyContext } from '@twofold/core';
import { startLocalDynamo, type LocalDynamo } from '@twofold/local/dynamodb-local';
import { createTenantCommand, type CreateTenantOptions } from '../../infra/cli/create-tenant';

let dynamo: LocalDynamo;
let db: ReturnType<typeof documentClient>;
const vault = LocalKeyVault.inMemory(nodeRandom);
const seen: CreateTenantOptions[] = [];

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tablePrefix: 'cli' });
  db = documentClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
});
afterAll(() => dynamo.stop());

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await createTenantCommand(argv, env, {
    dependencies: (options) => {
      seen.push(options);
      return { tenants: new DynamoTenantDirectory(db, options.directoryTable), vault, random: nodeRandom, clock: systemClock };
    },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const directory = () => new DynamoTenantDirectory(db, dynamo.tableNames.directory);

describe('tenant:create', () => {
  it('creates a tenant whose printed app and admin keys authenticate with their scope', async () => {
    const { code, out, err } = await run(['--name', 'Acme', '--directory-table', dynamo.tableNames.directory, '--kms-key-id', 'alias/unused-locally', '--region', 'eu-west-1']);
    expect(code, err).toBe(0);
    expect(seen.at(-1)).toEqual({ name: 'Acme', directoryTable: dynamo.tableNames.directory, kmsKeyId: 'alias/unused-locally', region: 'eu-west-1' });
    const printed = JSON.parse(out) as { tenantId: string; name: string; appKey: string; adminKey: string };
    expect(printed).toMatchObject({ name: 'Acme', tenantId: expect.stringMatching(/^tn_/), appKey: expect.stringMatching(/^tf_/), adminKey: expect.stringMatching(/^tf_/) });
    expect(err).toContain('cannot be shown again');

    // as the functions authenticate a request
    const keys = new ApiKeyAuthenticator({ apiKeys: new DynamoApiKeyStore(db, dynamo.tableNames.directory), clock: systemClock }, { ttlSeconds: 0 });
    expect(await keys.authenticate(`Bearer ${printed.appKey}`)).toMatchObject({ tenantId: printed.tenantId, scope: 'app', keyName: 'initial app key' });
    expect(await keys.authenticate(`Bearer ${printed.adminKey}`)).toMatchObject({ tenantId: printed.tenantId, scope: 'admin', keyName: 'initial admin key' });

    const tenant = await directory().getTenant(printed.tenantId);
    expect(tenant?.name).toBe('Acme');
    // the data key was wrapped by the vault for this tenant, and for no other
    await expect(vault.decryptDataKey(tenant!.wrappedDataKey, dataKeyContext(printed.tenantId))).resolves.toHaveLength(32);
    await expect(vault.decryptDataKey(tenant!.wrappedDataKey, dataKeyContext('tn_someoneelse'))).rejects.toThrow();
  });

  it('stores only hashes: no key secret is anywhere in the directory table', async () => {
    const { out } = await run(['--name', 'Hashes Inc', '--directory-table', dynamo.tableNames.directory, '--kms-key-id', 'k']);
    const { appKey, adminKey } = JSON.parse(out) as { appKey: string; adminKey: string };
    const { Items = [] } = await db.send(new ScanCommand({ TableName: dynamo.tableNames.directory }));
    const stored = JSON.stringify(Items);
    for (const key of [appKey, adminKey]) expect(stored).not.toContain(key.split('.')[1]);
  });

  it('takes the table and key from the environment, as the stack outputs exported', async () => {
    const { code } = await run(['--name', 'Env Corp'], { TWOFOLD_DIRECTORY_TABLE: dynamo.tableNames.directory, TWOFOLD_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/x', AWS_REGION: 'eu-west-3' });
    expect(code).toBe(0);
    expect(seen.at(-1)).toMatchObject({ directoryTable: dynamo.tableNames.directory, kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/x', region: 'eu-west-3' });
  });

  it('refuses a tenant id that exists, and leaves its keys alone', async () => {
    const args = ['--directory-table', dynamo.tableNames.directory, '--kms-key-id', 'k', '--tenant-id', 'tn_fixedid0001'];
    expect((await run(['--name', 'First', ...args])).code).toBe(0);
    const again = await run(['--name', 'Second', ...args]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('exists already');
    expect(again.out).toBe('');
    expect((await directory().getTenant('tn_fixedid0001'))?.name).toBe('First');
  });

  it.each([
    [['--directory-table', 't', '--kms-key-id', 'k'], '--name'],
    [['--name', 'Acme'], '--directory-table, --kms-key-id'],
    [['--name', 'Acme', '--directory-table', 't', '--kms-key-id', 'k', '--colour', 'red'], "Unknown option '--colour'"],
  ])('explains its usage and touches nothing when called as %j', async (argv, message) => {
    const before = seen.length;
    const { code, err, out } = await run(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain('usage: npm run --silent tenant:create');
    expect(out).toBe('');
    expect(seen.length).toBe(before);
  });
});
