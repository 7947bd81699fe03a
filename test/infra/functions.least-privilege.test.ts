/**
 * Each function's role, read back from the template, against an access matrix written out
 * here by hand: a grant that widens (a new table, a write where a read was, a KMS call, another
 * kind of directory item, another encryption context) fails until this page says so too. Then
 * the threats by name (issue 9 item 7: least privilege to the item).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import type { TableName } from '@twofold/adapters/tables';
import { lambdaFunctions, type LambdaFunctionName } from '../../infra/bundling';
import { tableActions } from '../../infra/constructs/service-function';
import { accessOf, actionsOf, allStatements, fullSettings, synthTwofold, type FunctionAccess, type KmsGrant } from './synth';

const stacks = synthTwofold(fullSettings);
const access = Object.fromEntries(lambdaFunctions.map((name) => [name, accessOf(stacks, name)])) as Record<LambdaFunctionName, FunctionAccess>;

const W = 'write' as const;
const RW = 'readWrite' as const;
type Level = 'read' | typeof W | typeof RW;

const TENANT = 'TENANT#*';
const APIKEY = 'APIKEY#*';
/** When each API key was last used: apart from the key item, the one directory item every API function may write. */
const KEYUSE = 'KEYUSE#*';
const SIGNINGKEY = 'SIGNINGKEY';
type Item = typeof TENANT | typeof APIKEY | typeof SIGNINGKEY | typeof KEYUSE;

/** The encryption contexts of core/keyring.ts and core/login/assertions.ts, written out. */
const TENANT_DATA_KEY = 'twofold-data-key';
const SIGNING_KEY = 'twofold-signing-key';
type Purpose = typeof TENANT_DATA_KEY | typeof SIGNING_KEY;

interface Expected {
  tables: Partial<Record<Exclude<TableName, 'directory'>, Level>>;
  /** Directory items (partition key prefixes) read and written. */
  directory?: { read?: Item[]; write?: Item[] };
  /** May set lastUsedAt on API-key items (API functions, which check keys themselves). */
  touchesApiKeys?: true;
  /** May check in with the census of containers (the tenants' request quota): UpdateItem and BatchGetItem of the attempts table's CENSUS# items. */
  census?: true;
  /** May Query the directory's sparse `tenants` index (every tenant: the scheduled overview recount). */
  tenantIndex?: true;
  /** KMS actions, by the encryption context's purpose they are limited to. */
  kms?: Partial<Record<Purpose, ('kms:Decrypt' | 'kms:GenerateDataKey')[]>>;
  putEvents?: true;
  sms?: true;
  email?: true;
}

/** A signer only unseals the deployment's signing key: it is made with the first tenant, by the operator (issue 25 item 10). */
const signs = ['kms:Decrypt'] as const;

/** The matrix: who may touch what (typed by function name: a new function does not compile until it has a row). */
const expected: Record<LambdaFunctionName, Expected> = {
  public: { tables: {}, directory: { read: [SIGNINGKEY] }, kms: { [SIGNING_KEY]: [...signs] } },
  console: { tables: {} },
  docs: { tables: {} },
  enrollment: {
    tables: { secrets: RW, attempts: RW, devices: RW, events: RW },
    directory: { read: [APIKEY, TENANT, SIGNINGKEY] },
    touchesApiKeys: true,
    census: true,
    kms: { [TENANT_DATA_KEY]: ['kms:Decrypt'], [SIGNING_KEY]: [...signs] },
    putEvents: true,
    sms: true,
    email: true,
  },
  challenge: {
    tables: { secrets: RW, attempts: RW, devices: RW, idempotency: RW, events: W },
    directory: { read: [APIKEY, TENANT] },
    touchesApiKeys: true,
    census: true,
    kms: { [TENANT_DATA_KEY]: ['kms:Decrypt'] },
    putEvents: true,
    sms: true,
    email: true,
  },
  verify: {
    tables: { secrets: RW, devices: W, events: W },
    directory: { read: [APIKEY, TENANT, SIGNINGKEY] },
    touchesApiKeys: true,
    census: true,
    kms: { [TENANT_DATA_KEY]: ['kms:Decrypt'], [SIGNING_KEY]: [...signs] },
    putEvents: true,
  },
  prompt: {
    tables: { prompts: RW, secrets: RW, attempts: RW, devices: RW, events: W },
    directory: { read: [APIKEY, TENANT, SIGNINGKEY] },
    touchesApiKeys: true,
    census: true,
    kms: { [TENANT_DATA_KEY]: ['kms:Decrypt'], [SIGNING_KEY]: [...signs] },
    putEvents: true,
    sms: true,
    email: true,
  },
  devices: { tables: { secrets: RW, devices: RW, events: W }, directory: { read: [APIKEY, TENANT] }, touchesApiKeys: true, census: true, putEvents: true },
  // the lockout notice: the tenant's name and message settings, and SES
  'event-relay': { tables: { secrets: RW, events: RW }, directory: { read: [TENANT] }, putEvents: true, email: true },
  admin: { tables: { secrets: RW, devices: RW, events: RW }, directory: { read: [APIKEY, TENANT, KEYUSE], write: [TENANT, APIKEY, KEYUSE] }, census: true, kms: { [TENANT_DATA_KEY]: ['kms:Decrypt'] }, putEvents: true },
  'grace-expiry': { tables: { secrets: RW, events: W }, directory: { read: [TENANT] }, putEvents: true, email: true, tenantIndex: true },
};

const indexesOf: Partial<Record<TableName, string[]>> = {
  secrets: ['by-tenant', 'enrolled', 'grace', 'lock-windows'],
  events: ['by-user', 'pending'],
};

const sorted = <T>(values: readonly T[]) => [...values].sort();
const purposeOf = (grant: KmsGrant) => (grant.condition?.StringEquals as Record<string, string> | undefined)?.['kms:EncryptionContext:purpose'];
const isWrite = (action: string) => tableActions.write.includes(action);

describe('each function may do what the matrix says and nothing more', () => {
  it('the matrix covers every function', () => {
    expect(Object.keys(expected).sort()).toEqual([...lambdaFunctions].sort());
  });

  it.each(lambdaFunctions)('%s', (name) => {
    const want = expected[name];
    const got = access[name];
    const tablesWanted = Object.fromEntries(
      Object.entries(want.tables).map(([table, level]) => [
        table,
        { actions: sorted(tableActions[level]), indexes: level === W ? [] : (indexesOf[table as TableName] ?? []) },
      ]),
    );
    expect(got.tables).toEqual(tablesWanted);
    const directoryWanted = [
      ...(want.directory?.read ? [{ actions: sorted(tableActions.read), leadingKeys: sorted(want.directory.read) }] : []),
      ...(want.directory?.write ? [{ actions: sorted(tableActions.write), leadingKeys: sorted(want.directory.write) }] : []),
      ...(want.touchesApiKeys ? [{ actions: ['dynamodb:UpdateItem'], leadingKeys: [KEYUSE], attributes: ['lastUsedAtMs', 'pk', 'sk'] }] : []),
      ...(want.tenantIndex ? [{ actions: ['dynamodb:Query'], leadingKeys: ['TENANTS'] }] : []),
    ];
    expect(sorted(got.directory.map((g) => JSON.stringify(g)))).toEqual(sorted(directoryWanted.map((g) => JSON.stringify(g))));
    expect(got.tableItems).toEqual(want.census ? [{ table: 'attempts', actions: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], leadingKeys: ['CENSUS#*#*'] }] : []);
    const kmsWanted = Object.fromEntries(Object.entries(want.kms ?? {}).map(([purpose, actions]) => [purpose, sorted(actions)]));
    expect(Object.fromEntries(got.kmsGrants.map((g) => [purposeOf(g), g.actions]))).toEqual(kmsWanted);
    expect(got.putEvents).toBe(want.putEvents ?? false);
    expect(got.snsPublish !== undefined).toBe(want.sms ?? false);
    expect(got.sesSendEmail !== undefined).toBe(want.email ?? false);
    // grace expiry's failed runs go to its dead-letter queue: Lambda's on-failure destination sends them
    expect(got.other).toEqual(name === 'grace-expiry' ? ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] : []);
  });
});

describe('environment beside the grants', () => {
  const envOf = (name: LambdaFunctionName) => {
    const fn = stacks.statelessTemplate.toJSON().Resources[stacks.stateless.getLogicalId(stacks.stateless.functions[name].node.defaultChild as CfnResource)];
    return Object.keys(fn.Properties.Environment.Variables as Record<string, unknown>);
  };

  it.each(lambdaFunctions)('%s is told a sender exactly when it may use it', (name) => {
    const env = envOf(name);
    expect(env.includes('TWOFOLD_EMAIL_SENDER')).toBe(access[name].sesSendEmail !== undefined);
    // the admin's policy check asks whether SMS exists (an SMS policy needs it) and never sends
    expect(env.includes('TWOFOLD_SMS_SENDER')).toBe(access[name].snsPublish !== undefined || name === 'admin');
  });
});

describe('threats', () => {
  const statelessStatements = () => allStatements(stacks.statelessTemplate).filter((st) => st.Effect === 'Allow');

  it('the public function (no API key) reaches only the signing-key item: no tenant, no API key, no user secret, challenge or device', () => {
    expect(Object.keys(access.public.tables)).toEqual([]);
    expect(access.public.directory.length).toBeGreaterThan(0);
    for (const grant of access.public.directory) expect(grant.leadingKeys).toEqual([SIGNINGKEY]);
  });

  it('the public function decrypts only under the signing key’s encryption context, never a tenant’s data key', () => {
    expect(access.public.kmsGrants).toEqual([
      {
        actions: [...signs],
        condition: {
          StringEquals: { 'kms:EncryptionContext:purpose': SIGNING_KEY },
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose'] },
        },
      },
    ]);
  });

  it('the console function (no API key, serves a page) can touch no table, key, bus or sender', () => {
    expect(access.console.tables).toEqual({});
    expect(access.console.kms).toEqual([]);
    expect(access.console.putEvents).toBe(false);
  });

  it('every kms:Decrypt and kms:GenerateDataKey anywhere carries an encryption-context condition on its purpose', () => {
    const kmsStatements = statelessStatements().filter((st) => actionsOf(st).some((a) => a === 'kms:Decrypt' || a === 'kms:GenerateDataKey'));
    expect(kmsStatements.length).toBeGreaterThanOrEqual(6);
    for (const st of kmsStatements) {
      const purpose = (st.Condition?.StringEquals as Record<string, string> | undefined)?.['kms:EncryptionContext:purpose'];
      expect([TENANT_DATA_KEY, SIGNING_KEY]).toContain(purpose);
      // and the context may hold no other keys than its own
      expect(st.Condition?.['ForAllValues:StringEquals']?.['kms:EncryptionContextKeys']).toEqual(purpose === SIGNING_KEY ? ['purpose'] : ['purpose', 'tenantId']);
    }
  });

  it("a tenant's data key unwraps only with a tenant id in the context (core/keyring.ts dataKeyContext)", () => {
    for (const name of lambdaFunctions) {
      for (const grant of access[name].kmsGrants.filter((g) => purposeOf(g) === TENANT_DATA_KEY)) {
        expect(grant.actions).toEqual(['kms:Decrypt']);
        expect(grant.condition?.Null).toEqual({ 'kms:EncryptionContext:tenantId': 'false' });
      }
    }
  });

  it('no function makes a data key: tenants and the signing key are made by the operator CLI', () => {
    expect(lambdaFunctions.filter((name) => access[name].kms.includes('kms:GenerateDataKey'))).toEqual([]);
  });

  it('threat: no function can replace the signing key every tenant is checked with (no write to the SIGNINGKEY item)', () => {
    const writers = lambdaFunctions.filter((name) => access[name].directory.some((g) => g.leadingKeys.includes(SIGNINGKEY) && g.actions.some(isWrite)));
    expect(writers).toEqual([]);
  });

  it('every grant on the directory table is limited to item prefixes (dynamodb:LeadingKeys)', () => {
    const directoryArn = JSON.stringify(stacks.stateless.resolve(stacks.stateless.service.data.tables.directory.tableArn));
    const onDirectory = statelessStatements().filter((st) => JSON.stringify(st.Resource).includes(directoryArn));
    expect(onDirectory.length).toBeGreaterThan(0);
    for (const st of onDirectory) expect(st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toBeDefined();
  });

  it('only the admin function (API key create and revoke) can write API-key items; the others may only note lastUsedAt', () => {
    const writers = lambdaFunctions.filter((name) => access[name].directory.some((g) => g.leadingKeys.includes(APIKEY) && g.actions.some(isWrite) && !g.attributes));
    expect(writers).toEqual(['admin']);
    for (const name of lambdaFunctions) {
      for (const grant of access[name].directory.filter((g) => g.attributes)) {
        expect(grant).toEqual({ actions: ['dynamodb:UpdateItem'], leadingKeys: [KEYUSE], attributes: ['lastUsedAtMs', 'pk', 'sk'] });
      }
    }
  });

  it('every API function reads the API-key items it checks keys against (no authorizer), and no scheduled function does', () => {
    const readers = lambdaFunctions.filter((name) => access[name].directory.some((g) => g.leadingKeys.includes(APIKEY) && g.actions.includes('dynamodb:GetItem')));
    expect(readers.sort()).toEqual(['admin', 'challenge', 'devices', 'enrollment', 'prompt', 'verify']);
  });

  it('only the functions that send codes can send text messages; SES is limited to the identity and configuration set', () => {
    expect(lambdaFunctions.filter((name) => access[name].snsPublish)).toEqual(['enrollment', 'challenge', 'prompt']);
    for (const name of ['enrollment', 'challenge', 'grace-expiry', 'event-relay'] as const) {
      const resources = JSON.stringify(access[name].sesSendEmail);
      expect(resources).toContain(':identity/acme.example');
      expect(resources).toContain(':configuration-set/twofold');
    }
  });

  it('each grant reaches an index by its name, never index/*', () => {
    for (const name of lambdaFunctions) for (const t of Object.values(access[name].tables)) expect(t.indexes).not.toContain('*');
  });
});

describe('table actions', () => {
  it('cover every DynamoDB operation the adapters send', () => {
    const dir = join(import.meta.dirname, '../../packages/adapters/src/aws');
    const source = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const commands = new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!));
    const dynamo = [...commands].filter((c) => /^(Get|Put|Update|Delete|Query|Scan|BatchGet|BatchWrite|TransactGet|TransactWrite)$/.test(c));
    expect(dynamo.length).toBeGreaterThan(0);
    // lib-dynamodb's document commands drop "Item": GetCommand is dynamodb:GetItem
    // IAM has no action of its own for a transaction: each item in it needs its PutItem, UpdateItem or DeleteItem
    const actions = (c: string) =>
      c === 'TransactWrite' ? ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] : [`dynamodb:${c === 'Query' || c === 'Scan' ? c : `${c}Item`}`];
    for (const c of dynamo) for (const a of actions(c)) expect(tableActions.readWrite).toContain(a);
  });
});
