/**
 * The operators' tenant commands against dynalite through the real DynamoDB adapters:
 * tenant:list, tenant:keys (list, create, revoke) and tenant:delete (only with --yes), each
 * with --help. The keys a command prints authenticate; a revoked or deleted tenant's keys do not.
 */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, DynamoApiKeyStore, DynamoTenantDirectory, LocalKeyVault, nodeRandom, systemClock } from '@twofold/adapters';
import { DynamoTenantOperations } from '../../infra/cli/dynamo-tenant-operations';
import { ApiKeyAuthenticator, createTenant, type NewTenant } from '@twofold/core';
import { startLocalDynamo, type LocalDynamo } from '@twofold/local/dynamodb-local';
import { createTenantCommand } from '../../infra/cli/create-tenant';
import { tenantCommand, type TenantCommand } from '../../infra/cli/tenants';

let dynamo: LocalDynamo;
let db: ReturnType<typeof documentClient>;
let table: string;
const vault = LocalKeyVault.inMemory(nodeRandom);

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tablePrefix: 'ops' });
  db = documentClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  table = dynamo.tableNames.directory;
});
afterAll(() => dynamo.stop());

async function run(command: TenantCommand, argv: string[], env: Record<string, string> = { TWOFOLD_DIRECTORY_TABLE: table }) {
  const out: string[] = [];
  const err: string[] = [];
  let touched = false;
  const code = await tenantCommand(command, argv, env, {
    dependencies: (options) => {
      touched = true;
      return { apiKeys: new DynamoApiKeyStore(db, options.directoryTable), tenants: new DynamoTenantOperations(db, options.directoryTable), random: nodeRandom, clock: systemClock };
    },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join('\n'), err: err.join('\n'), touched };
}

const newTenant = (name: string): Promise<NewTenant> => createTenant({ tenants: new DynamoTenantDirectory(db, table), vault, random: nodeRandom, clock: systemClock }, { name });
/** A fresh container's view of a key (no cache carried over). */
const authenticate = (key: string) => new ApiKeyAuthenticator({ apiKeys: new DynamoApiKeyStore(db, table), clock: systemClock }, { ttlSeconds: 0 }).authenticate(`Bearer ${key}`);
const keyIdOf = (key: string) => key.slice(3, 19);

describe('--help', () => {
  it.each([['list'], ['keys'], ['delete'], ['quota']] as const)('tenant:%s --help prints its usage on stdout and touches nothing', async (command) => {
    const r = await run(command, ['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`usage: npm run --silent tenant:${command}`);
    expect(r.touched).toBe(false);
  });

  it('tenant:create --help too', async () => {
    const out: string[] = [];
    const code = await createTenantCommand(['--help'], {}, { dependencies: () => { throw new Error('must not be called'); }, out: (t) => out.push(t), err: () => undefined });
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('usage: npm run --silent tenant:create');
  });
});

describe('tenant:list', () => {
  it('lists every tenant with id, name and creation time', async () => {
    const a = await newTenant('Alpha');
    const b = await newTenant('Beta');
    const r = await run('list', []);
    expect(r.code, r.err).toBe(0);
    const { tenants } = JSON.parse(r.out) as { tenants: { tenantId: string; name: string; createdAt: string }[] };
    expect(tenants).toEqual(expect.arrayContaining([
      { tenantId: a.tenantId, name: 'Alpha', createdAt: expect.stringMatching(/Z$/) },
      { tenantId: b.tenantId, name: 'Beta', createdAt: expect.stringMatching(/Z$/) },
    ]));
  });

  it('without a directory table: usage, exit 2', async () => {
    const r = await run('list', [], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('missing --directory-table');
  });
});

describe('tenant:keys', () => {
  it('create prints a key once that authenticates with its scope; list shows it without the secret; revoke stops it', async () => {
    const tenant = await newTenant('Gamma');
    const created = await run('keys', ['create', '--tenant-id', tenant.tenantId, '--name', 'ci deploy', '--scope', 'admin']);
    expect(created.code, created.err).toBe(0);
    const key = JSON.parse(created.out) as { keyId: string; key: string; name: string; scope: string };
    expect(key).toMatchObject({ name: 'ci deploy', scope: 'admin' });
    expect(created.err).toContain('cannot be shown again');
    expect(await authenticate(key.key)).toEqual({ tenantId: tenant.tenantId, scope: 'admin', keyId: key.keyId, keyName: 'ci deploy' });

    const listed = await run('keys', ['list', '--tenant-id', tenant.tenantId, '--directory-table', table]);
    expect(listed.code).toBe(0);
    const { keys } = JSON.parse(listed.out) as { keys: { keyId: string; name: string; scope: string; prefix: string }[] };
    expect(keys.map((k) => k.keyId).sort()).toEqual([keyIdOf(tenant.appKey), keyIdOf(tenant.adminKey), key.keyId].sort());
    expect(listed.out).not.toContain(key.key.split('.')[1]);

    const revoked = await run('keys', ['revoke', '--tenant-id', tenant.tenantId, '--key-id', keyIdOf(tenant.adminKey)]);
    expect(revoked.code, revoked.err).toBe(0);
    expect(await authenticate(tenant.adminKey)).toBeUndefined();
    expect(await authenticate(key.key)).toBeDefined();
  });

  it("refuses to revoke the tenant's last admin key (exit 1, the key still works)", async () => {
    const tenant = await newTenant('Delta');
    const r = await run('keys', ['revoke', '--tenant-id', tenant.tenantId, '--key-id', keyIdOf(tenant.adminKey)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('last_admin_key');
    expect(await authenticate(tenant.adminKey)).toBeDefined();
  });

  it("refuses to create a key for a tenant that does not exist, or another tenant's key id to revoke", async () => {
    const tenant = await newTenant('Epsilon');
    const other = await newTenant('Zeta');
    expect((await run('keys', ['create', '--tenant-id', 'tn_nobody', '--name', 'x', '--scope', 'app'])).code).toBe(1);
    const r = await run('keys', ['revoke', '--tenant-id', tenant.tenantId, '--key-id', keyIdOf(other.appKey)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('api_key_not_found');
    expect(await authenticate(other.appKey)).toBeDefined();
  });

  it.each([
    [['--tenant-id', 'tn_x'], 'say list, create or revoke'],
    [['rotate', '--tenant-id', 'tn_x'], 'say list, create or revoke'],
    [['create', '--tenant-id', 'tn_x', '--name', 'x', '--scope', 'root'], '--scope app or admin'],
    [['revoke', '--tenant-id', 'tn_x'], '--key-id'],
    [['list'], '--tenant-id'],
  ])('explains its usage and touches nothing when called as %j', async (argv, message) => {
    const r = await run('keys', argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('usage: npm run --silent tenant:keys');
    expect(r.touched).toBe(false);
  });
});

describe('tenant:delete', () => {
  it('without --yes deletes nothing (exit 2)', async () => {
    const tenant = await newTenant('Eta');
    const r = await run('delete', ['--tenant-id', tenant.tenantId]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('without --yes');
    expect(r.touched).toBe(false);
    expect(await authenticate(tenant.appKey)).toBeDefined();
  });

  it("with --yes: its keys stop working, its directory items are gone (data key too), --purge-table deletes its items there, other tenants' stay", async () => {
    const tenant = await newTenant('Theta');
    const bystander = await newTenant('Iota');
    const secrets = dynamo.tableNames.secrets;
    for (const t of [tenant, bystander]) {
      await db.send(new PutCommand({ TableName: secrets, Item: { pk: `USER#${t.tenantId}#ann`, sk: 'PROFILE', email: 'ann@example.com' } }));
      await db.send(new PutCommand({ TableName: secrets, Item: { pk: `STATS#${t.tenantId}`, sk: 'STATS', users: 1 } }));
    }
    // a tenant whose id starts like this one's must not be touched
    await db.send(new PutCommand({ TableName: secrets, Item: { pk: `USER#${tenant.tenantId}x#bob`, sk: 'PROFILE' } }));
    await new ApiKeyAuthenticator({ apiKeys: new DynamoApiKeyStore(db, table), clock: systemClock }, { ttlSeconds: 0 }).authenticate(`Bearer ${tenant.appKey}`);

    const r = await run('delete', ['--tenant-id', tenant.tenantId, '--yes', '--purge-table', secrets]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ deleted: tenant.tenantId, keysDeleted: 2, purged: { [secrets]: 2 } });
    expect(await authenticate(tenant.appKey)).toBeUndefined();
    expect(await authenticate(tenant.adminKey)).toBeUndefined();

    const everything = async (name: string) => JSON.stringify((await db.send(new ScanCommand({ TableName: name }))).Items ?? []);
    const directory = await everything(table);
    expect(directory).not.toContain(`"${tenant.tenantId}"`);
    expect(directory).not.toContain(`#${tenant.tenantId}"`);
    const left = await everything(secrets);
    expect(left).not.toContain(`#${tenant.tenantId}#ann`);
    expect(left).toContain(`USER#${tenant.tenantId}x#bob`);
    expect(left).toContain(`USER#${bystander.tenantId}#ann`);
    expect(await authenticate(bystander.appKey)).toBeDefined();
    expect(JSON.parse((await run('list', [])).out).tenants.map((t: { tenantId: string }) => t.tenantId)).not.toContain(tenant.tenantId);
  });

  it('an unknown tenant: exit 1, nothing deleted', async () => {
    const r = await run('delete', ['--tenant-id', 'tn_nobody', '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no tenant tn_nobody');
  });
});

describe('tenant:quota', () => {
  it("sets the tenant's request quota on its record, as the functions read it; refuses bad numbers (exit 2) and an unknown tenant (exit 1)", async () => {
    const tenant = await newTenant('Quota Co');
    const directory = new DynamoTenantDirectory(db, table);
    expect((await directory.getTenant(tenant.tenantId))?.quota).toBeUndefined();
    const r = await run('quota', ['--tenant-id', tenant.tenantId, '--rps', '25', '--burst', '60']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ tenantId: tenant.tenantId, quota: { requestsPerSecond: 25, burst: 60 } });
    expect((await directory.getTenant(tenant.tenantId))?.quota).toEqual({ requestsPerSecond: 25, burst: 60 });

    for (const bad of [['--rps', '0', '--burst', '5'], ['--rps', '2.5', '--burst', '5'], ['--rps', '5']]) {
      const refused = await run('quota', ['--tenant-id', tenant.tenantId, ...bad]);
      expect(refused.code).toBe(2);
      expect(refused.touched).toBe(false);
    }
    expect((await directory.getTenant(tenant.tenantId))?.quota).toEqual({ requestsPerSecond: 25, burst: 60 });
    const unknown = await run('quota', ['--tenant-id', 'tn_nosuchtenant', '--rps', '5', '--burst', '5']);
    expect(unknown.code).toBe(1);
    expect(await directory.getTenant('tn_nosuchtenant')).toBeUndefined();
  });
});
