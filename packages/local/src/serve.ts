/**
 * What `npm start` and `npm run twin` share: the settings they read (PORT, TWOFOLD_DATA_DIR, the
 * engine), the default tenant kept in local.json, the banner, and a clean stop on Ctrl-C.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { LOCAL_ENGINES, type LocalEngine } from './dynamodb-local';
import type { LocalRuntime } from './runtime';

const LocalEnv = z.object({
  PORT: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65535)), 3000),
  TWOFOLD_DATA_DIR: z._default(z.string().check(z.minLength(1)), '.twofold'),
  /** An existing DynamoDB (DynamoDB Local, a proxy) instead of an embedded engine. */
  TWOFOLD_DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** The embedded engine: dynalite (Node, the default) or dynamodb-local (Amazon's, needs Java 17+). */
  TWOFOLD_LOCAL_ENGINE: z.optional(z.enum(LOCAL_ENGINES)),
  /** Containers of each HTTP function (npm start; default 1): see LocalRuntimeOptions.containers. */
  TWOFOLD_LOCAL_CONTAINERS: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(16))),
});

export interface ServeSettings {
  port: number;
  dataDir: string;
  dynamoEndpoint?: string;
  engine?: LocalEngine;
  containers?: number;
}

const LocalJson = z.object({ baseUrl: z.string(), tenantId: z.string(), appKey: z.string(), adminKey: z.string() });

/** Starts a runtime with the settings of the environment, prints the banner, and stops it on SIGINT/SIGTERM. */
export async function serve<R extends LocalRuntime>(what: string, start: (settings: ServeSettings) => Promise<R>, extraLines: (runtime: R, settings: ServeSettings) => string[] = () => []): Promise<void> {
  const env = LocalEnv.parse(process.env);
  const dataDir = resolve(env.TWOFOLD_DATA_DIR);
  const settings: ServeSettings = {
    port: env.PORT,
    dataDir,
    ...(env.TWOFOLD_DYNAMODB_ENDPOINT ? { dynamoEndpoint: env.TWOFOLD_DYNAMODB_ENDPOINT } : {}),
    ...(env.TWOFOLD_LOCAL_ENGINE ? { engine: env.TWOFOLD_LOCAL_ENGINE } : {}),
    ...(env.TWOFOLD_LOCAL_CONTAINERS ? { containers: env.TWOFOLD_LOCAL_CONTAINERS } : {}),
  };
  const runtime = await start(settings);
  const localJsonPath = join(dataDir, 'local.json');

  let tenant: z.infer<typeof LocalJson> | undefined;
  if (existsSync(localJsonPath)) {
    const saved = LocalJson.safeParse(JSON.parse(readFileSync(localJsonPath, 'utf8')));
    if (saved.success && (await runtime.deps.tenants.getTenant(saved.data.tenantId))) tenant = { ...saved.data, baseUrl: runtime.baseUrl };
  }
  if (!tenant) tenant = { baseUrl: runtime.baseUrl, ...(await runtime.createTenant('Twofold Local')) };
  // holds the keys in plain text: local use only, readable by this user alone
  writeFileSync(localJsonPath, JSON.stringify(tenant, null, 2) + '\n', { mode: 0o600 });

  console.log(`${what} is running at ${runtime.baseUrl}`);
  console.log(`  data:      ${dataDir}`);
  console.log(`  dynamodb:  ${runtime.dynamo}`);
  for (const line of extraLines(runtime, settings)) console.log(`  ${line}`);
  console.log(`  tenant:    ${tenant.tenantId}`);
  console.log(`  app key:   ${tenant.appKey}`);
  console.log(`  admin key: ${tenant.adminKey}`);
  console.log(`  console:   ${runtime.baseUrl}/console (sign in with the admin key)`);
  console.log(`  (also in ${localJsonPath}; API docs at ${runtime.baseUrl}/docs, OpenAPI at ${runtime.baseUrl}/openapi.json)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
