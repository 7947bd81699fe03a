/**
 * Operators' commands on a deployed Twofold's tenants, beside tenant:create (create-tenant.ts):
 *
 *   npm run --silent tenant:list   -- [--directory-table <table>] [--region <region>]
 *   npm run --silent tenant:keys   -- list   --tenant-id <id>
 *   npm run --silent tenant:keys   -- create --tenant-id <id> --name <what for> --scope app|admin
 *   npm run --silent tenant:keys   -- revoke --tenant-id <id> --key-id <keyId>
 *   npm run --silent tenant:delete -- --tenant-id <id> --yes [--purge-table <table> ...]
 *   npm run --silent tenant:quota  -- --tenant-id <id> --rps <requests per second> --burst <requests>
 *
 * The directory table comes from the stateful stack's DirectoryTableName output, or
 * TWOFOLD_DIRECTORY_TABLE; the region from --region or AWS_REGION. Each prints JSON on stdout and
 * messages on stderr, and takes --help. Exit codes: 0 done, 1 failed, 2 wrong usage.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '@twofold/adapters/aws/dynamo';
import { DynamoApiKeyStore } from '@twofold/adapters/aws/dynamo-api-key-store';
import { DynamoTenantOperations } from './dynamo-tenant-operations';
import { nodeRandom, systemClock } from '@twofold/adapters/system';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyStore } from '@twofold/core/tenancy/api-keys';
import { TenantQuota } from '@twofold/contract/schemas';
import { DEFAULT_API_KEY_CACHE_SECONDS } from '@twofold/runtime/config';
import { DomainError } from '@twofold/core/errors';
import type { Clock, Random } from '@twofold/core/ports';

export interface OperatorDependencies {
  apiKeys: ApiKeyStore;
  tenants: Pick<DynamoTenantOperations, 'listTenants' | 'deleteTenant' | 'purgeTenant' | 'setQuota'>;
  random: Random;
  clock: Clock;
}

export interface OperatorIo {
  dependencies(options: { directoryTable: string; region?: string }): OperatorDependencies;
  out(text: string): void;
  err(text: string): void;
}

export type TenantCommand = 'list' | 'keys' | 'delete' | 'quota';

const COMMON = '[--directory-table <table>] [--region <region>]';
const ENV = '(TWOFOLD_DIRECTORY_TABLE and AWS_REGION in the environment stand in for --directory-table and --region)';
export const USAGE: Record<TenantCommand, string> = {
  list: `usage: npm run --silent tenant:list -- ${COMMON}\n  Lists every tenant: {"tenants": [{tenantId, name, createdAt}]}.\n  ${ENV}`,
  keys:
    `usage: npm run --silent tenant:keys -- list   --tenant-id <id> ${COMMON}\n` +
    `       npm run --silent tenant:keys -- create --tenant-id <id> --name <what the key is for> --scope app|admin ${COMMON}\n` +
    `       npm run --silent tenant:keys -- revoke --tenant-id <id> --key-id <keyId> ${COMMON}\n` +
    '  list: the keys (never a key itself); create: prints the new key once (only its hash is kept);\n' +
    `  revoke: the key stops working (in AWS within the functions' API key cache time, ${DEFAULT_API_KEY_CACHE_SECONDS} s by default);\n` +
    "  the tenant's last admin key cannot be revoked.\n" +
    `  ${ENV}`,
  delete:
    `usage: npm run --silent tenant:delete -- --tenant-id <id> --yes [--purge-table <table> ...] ${COMMON}\n` +
    "  Deletes the tenant: its API keys stop working, and its record goes with its wrapped data key, so that\n" +
    '  every secret sealed under it is unreadable at once. --purge-table (repeatable: the secrets, attempts,\n' +
    "  devices and events tables) also deletes the tenant's items there. Without --yes nothing is deleted.\n" +
    `  ${ENV}`,
  quota:
    `usage: npm run --silent tenant:quota -- --tenant-id <id> --rps <requests per second> --burst <requests> ${COMMON}\n` +
    "  Sets the tenant's request quota (the operator's, not the tenant admin's): a bucket of --burst requests\n" +
    '  refilled at --rps, over all its keyed requests; past it the API answers 429 tenant_rate_limited with\n' +
    "  Retry-After. Without it a tenant has the deployment's default (tenantRequestsPerSecond, tenantBurst).\n" +
    "  Running functions apply it within 30 s (they cache the tenant's quota).\n" +
    `  ${ENV}`,
};

class UsageError extends Error {}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  yes: { type: 'boolean' },
  'tenant-id': { type: 'string' },
  'key-id': { type: 'string' },
  name: { type: 'string' },
  scope: { type: 'string' },
  'purge-table': { type: 'string', multiple: true },
  rps: { type: 'string' },
  burst: { type: 'string' },
  'directory-table': { type: 'string' },
  region: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function parse(command: TenantCommand, argv: string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: command === 'keys' });
    return { values: values as Values, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Runs one command; returns the exit code (0 done, 1 failed, 2 wrong usage). */
export async function tenantCommand(command: TenantCommand, argv: string[], env: Record<string, string | undefined>, io: OperatorIo): Promise<number> {
  const usage = (message: string) => {
    io.err(`${message}\n${USAGE[command]}`);
    return 2;
  };
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(command, argv));
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    throw error;
  }
  if (values.help) {
    io.out(USAGE[command]);
    return 0;
  }
  const directoryTable = values['directory-table'] || env.TWOFOLD_DIRECTORY_TABLE;
  if (!directoryTable) return usage('missing --directory-table');
  const region = values.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const tenantId = values['tenant-id'];
  if (command !== 'list' && !tenantId) return usage('missing --tenant-id');
  const action = command === 'keys' ? positionals[0] : undefined;
  if (command === 'keys' && (positionals.length !== 1 || !['list', 'create', 'revoke'].includes(action!))) return usage('say list, create or revoke');
  if (action === 'create' && (!values.name || !['app', 'admin'].includes(values.scope ?? ''))) return usage('create needs --name and --scope app or admin');
  if (action === 'revoke' && !values['key-id']) return usage('revoke needs --key-id');
  if (command === 'delete' && !values.yes) return usage(`refusing to delete tenant ${tenantId} without --yes (nothing was deleted)`);
  const quota = command === 'quota' ? TenantQuota.safeParse({ requestsPerSecond: Number(values.rps ?? NaN), burst: Number(values.burst ?? NaN) }) : undefined;
  if (quota && !quota.success) return usage('--rps must be a whole number in 1..100000 and --burst in 1..1000000');

  try {
    const deps = io.dependencies({ directoryTable, ...(region ? { region } : {}) });
    if (command === 'list') {
      const tenants = await deps.tenants.listTenants();
      io.out(JSON.stringify({ tenants: tenants.map((t) => ({ tenantId: t.tenantId, name: t.name, createdAt: iso(t.createdAtMs) })) }, null, 2));
      return 0;
    }
    if (command === 'keys') {
      if (action === 'list') io.out(JSON.stringify(await listApiKeys(deps, tenantId!), null, 2));
      if (action === 'create') {
        if (!(await deps.tenants.listTenants()).some((t) => t.tenantId === tenantId)) throw new Error(`no tenant ${tenantId}`);
        io.out(JSON.stringify(await createApiKey(deps, tenantId!, { name: values.name!, scope: values.scope as 'app' | 'admin' }), null, 2));
        io.err('Store the key now: only its hash is kept, it cannot be shown again.');
      }
      if (action === 'revoke') {
        await revokeApiKey({ apiKeys: deps.apiKeys, forgetApiKey: () => undefined }, tenantId!, values['key-id']!);
        io.out(JSON.stringify({ revoked: values['key-id'] }));
        io.err(`Revoked. Running functions stop accepting it within their API key cache time (TWOFOLD_API_KEY_CACHE_SECONDS, ${DEFAULT_API_KEY_CACHE_SECONDS} s by default).`);
      }
      return 0;
    }
    if (quota?.success) {
      if (!(await deps.tenants.setQuota(tenantId!, quota.data))) throw new Error(`no tenant ${tenantId}`);
      io.out(JSON.stringify({ tenantId, quota: quota.data }));
      io.err('Set. Running functions apply it within 30 s.');
      return 0;
    }
    const result = await deps.tenants.deleteTenant(tenantId!);
    if (!result.deleted) throw new Error(`no tenant ${tenantId}`);
    const purged: Record<string, number> = {};
    for (const table of values['purge-table'] ?? []) purged[table] = await deps.tenants.purgeTenant(table, tenantId!);
    io.out(JSON.stringify({ deleted: tenantId, keysDeleted: result.keysDeleted, purged }, null, 2));
    return 0;
  } catch (error) {
    const message = error instanceof DomainError ? `${error.code}: ${error.message === error.code ? '' : error.message}`.replace(/: $/, '') : (error as Error).message;
    io.err(`Could not ${command === 'keys' ? `${action} the key` : command === 'quota' ? "set the tenant's quota" : `${command} tenants`}: ${message}`);
    return 1;
  }
}

/** The real adapters: the deployment's directory table. */
export function awsOperatorDependencies(options: { directoryTable: string; region?: string }): OperatorDependencies {
  const db = documentClient(new DynamoDBClient(options.region ? { region: options.region } : {}));
  return { apiKeys: new DynamoApiKeyStore(db, options.directoryTable), tenants: new DynamoTenantOperations(db, options.directoryTable), random: nodeRandom, clock: systemClock };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [command, ...argv] = process.argv.slice(2);
  if (command !== 'list' && command !== 'keys' && command !== 'delete' && command !== 'quota') {
    process.stderr.write('usage: tsx infra/cli/tenants.ts list|keys|delete|quota ... (npm run tenant:list, tenant:keys, tenant:delete, tenant:quota)\n');
    process.exitCode = 2;
  } else {
    process.exitCode = await tenantCommand(command, argv, process.env, {
      dependencies: awsOperatorDependencies,
      out: (text) => process.stdout.write(`${text}\n`),
      err: (text) => process.stderr.write(`${text}\n`),
    });
  }
}
