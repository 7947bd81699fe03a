/**
 * Each function's role, read back from the template, against an access matrix written out
 * here by hand: a grant that widens (a new table, a write where a read was, a KMS call) fails
 * until this page says so too. Then the threats by name.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import type { TableName } from '@twofold/adapters/tables';
import { lambdaFunctions, type LambdaFunctionName } from '../../infra/bundling';
import { tableActions } from '../../infra/constructs/service-function';
import { accessOf, fullSettings, synthTwofold, type FunctionAccess } from './synth';

const stacks = synthTwofold(fullSettings);
const access = Object.fromEntries(lambdaFunctions.map((name) => [name, accessOf(stacks, name)])) as Record<LambdaFunctionName, FunctionAccess>;

const R = 'read' as const;
const W = 'write' as const;
const RW = 'readWrite' as const;
type Level = typeof R | typeof W | typeof RW;

interface Expected {
  tables: Partial<Record<TableName, Level>>;
  kms?: ('kms:Decrypt' | 'kms:GenerateDataKey')[];
  putEvents?: true;
  sms?: true;
  email?: true;
}

const signs = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

/** The matrix: who may touch what (typed by function name: a new function does not compile until it has a row). */
const expected: Record<LambdaFunctionName, Expected> = {
  authorizer: { tables: { directory: R } },
  public: { tables: { directory: RW }, kms: [...signs] },
  enrollment: { tables: { directory: RW, secrets: RW, attempts: RW, devices: RW, events: W }, kms: [...signs], putEvents: true, sms: true, email: true },
  challenge: { tables: { directory: R, secrets: R, attempts: RW, devices: RW, idempotency: RW }, kms: ['kms:Decrypt'], sms: true, email: true },
  verify: { tables: { directory: RW, secrets: RW, attempts: RW, devices: W, events: W }, kms: [...signs], putEvents: true },
  devices: { tables: { devices: RW, events: W }, putEvents: true },
  'event-relay': { tables: { events: RW }, putEvents: true },
  admin: { tables: { directory: RW, secrets: RW, devices: RW, events: RW }, kms: ['kms:Decrypt'], putEvents: true },
  'grace-expiry': { tables: { directory: R, secrets: RW, events: W }, putEvents: true, email: true },
  docs: { tables: {} },
};

const indexesOf: Partial<Record<TableName, string[]>> = {
  secrets: ['by-tenant', 'enrolled', 'grace'],
  events: ['by-user', 'pending'],
};

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
        { actions: [...tableActions[level]].sort(), indexes: level === W ? [] : (indexesOf[table as TableName] ?? []) },
      ]),
    );
    expect(got.tables).toEqual(tablesWanted);
    expect(got.kms).toEqual(want.kms ?? []);
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
  it('the authorizer, which every request reaches, can only read the directory', () => {
    expect(access.authorizer).toEqual({ tables: { directory: { actions: [...tableActions.read].sort(), indexes: [] } }, kms: [], putEvents: false, other: [] });
  });

  it('the public function (no API key) cannot reach user secrets, challenges or devices', () => {
    expect(Object.keys(access.public.tables)).toEqual(['directory']);
  });

  it('only the functions that sign assertions (and so may create the signing key) can generate data keys', () => {
    const generating = lambdaFunctions.filter((name) => access[name].kms.includes('kms:GenerateDataKey'));
    expect(generating.sort()).toEqual(['enrollment', 'public', 'verify']);
  });

  it('only the functions that send codes can send text messages; SES is limited to the identity and configuration set', () => {
    expect(lambdaFunctions.filter((name) => access[name].snsPublish)).toEqual(['enrollment', 'challenge']);
    for (const name of ['enrollment', 'challenge', 'grace-expiry'] as const) {
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
    const action = (c: string) => `dynamodb:${c === 'Query' || c === 'Scan' ? c : c.startsWith('Transact') ? `${c}Items` : `${c}Item`}`;
    for (const c of dynamo) expect(tableActions.readWrite).toContain(action(c));
  });
});
