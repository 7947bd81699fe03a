/**
 * The check from outside: verifications/s through `npm start` over HTTP at concurrency 16 (the
 * whole local runtime: Node's HTTP server, the functions, its dynalite engine in a process of
 * its own on a fresh data directory), beside the bare floor of one GetItem plus one conditional UpdateItem made
 * with the AWS SDK on dynalite (in memory, in this process, at the same concurrency).
 * Real clock: each user verifies once, with the TOTP code of a step after the one that confirmed
 * its factor.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { generate } from 'otplib';
import { freePort } from '@twofold/local/free-port';
import { childEnv } from './env';
import { forEachLimited as pool, median, nowMs } from './stats';

export interface HttpCheckResult {
  users: number;
  concurrency: number;
  timed: number;
  httpOpsPerSecond: number;
  httpErrors: number;
  floorRounds: number[];
  floorOpsPerSecond: number;
  ratio: number;
}

export async function runHttpCheck(root: string, options: { users: number; concurrency: number }, progress: (line: string) => void): Promise<HttpCheckResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twofold-bench-http-'));
  const port = await freePort();
  // as a person runs it: without the bench's own settings (its log level, metrics off)
  const { POWERTOOLS_LOG_LEVEL: _level, POWERTOOLS_METRICS_DISABLED: _metrics, ...asRun } = childEnv();
  const server = spawn('npm', ['start'], { cwd: root, env: { ...asRun, PORT: String(port), TWOFOLD_DATA_DIR: dataDir }, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  const exited = once(server, 'exit');
  // npm and what it started form a process group of their own (detached): stop them all
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(server.pid ?? 0), name);
    } catch {
      // gone already
    }
  };
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    signal('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    signal('SIGKILL');
  };
  try {
    const localJson = join(dataDir, 'local.json');
    for (let i = 0; !existsSync(localJson); i++) {
      if (server.exitCode !== null || i > 600) throw new Error('bench: npm start did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const { baseUrl, appKey } = JSON.parse(readFileSync(localJson, 'utf8')) as { baseUrl: string; appKey: string };
    const headers = { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const response = await fetch(baseUrl + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const must = async (method: string, path: string, status: number, body?: unknown) => {
      const r = await call(method, path, body);
      if (r.status !== status) throw new Error(`bench: ${method} ${path} answered ${r.status}: ${JSON.stringify(r.json)}`);
      return r.json;
    };

    progress(`  npm start at ${baseUrl}: enrolling ${options.users} TOTP users over HTTP...`);
    const users = Array.from({ length: options.users }, (_, i) => ({ id: `http-${i}`, secret: '', challengeId: '', code: '' }));
    await pool(users, 8, async (u) => {
      const factor = await must('POST', `/v1/users/${u.id}/factors`, 201, { type: 'totp' });
      u.secret = String(factor.secret);
      await must('POST', `/v1/users/${u.id}/factors/${String(factor.factorId)}/verify`, 200, { code: await generate({ secret: u.secret }) });
    });
    // the next TOTP step: the one that confirmed each factor is spent
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 250));
    await pool(users, 8, async (u) => {
      u.challengeId = String((await must('POST', `/v1/users/${u.id}/challenges`, 201, {})).challengeId);
      u.code = await generate({ secret: u.secret });
    });
    const warm = users.slice(0, Math.floor(users.length / 4));
    const timed = users.slice(warm.length);
    let errors = 0;
    const verify = async (u: (typeof users)[number]) => {
      const r = await call('POST', `/v1/challenges/${u.challengeId}/verify`, { code: u.code });
      if (r.status !== 200) errors++;
    };
    await pool(warm, options.concurrency, verify);
    const started = nowMs();
    await pool(timed, options.concurrency, verify);
    const httpOpsPerSecond = timed.length / ((nowMs() - started) / 1000);
    await stop();

    progress('  the floor on dynalite (in this process)...');
    const floorRounds = await dynaliteFloor(timed.length, options.concurrency);
    const floorOpsPerSecond = median(floorRounds);
    return { users: options.users, concurrency: options.concurrency, timed: timed.length, httpOpsPerSecond, httpErrors: errors, floorRounds, floorOpsPerSecond, ratio: httpOpsPerSecond / floorOpsPerSecond };
  } finally {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One strongly consistent GetItem + one conditional UpdateItem per op, items of a login item's size; 1 warm-up and 3 timed rounds. */
async function dynaliteFloor(ops: number, concurrency: number): Promise<number[]> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const db = DynamoDBDocumentClient.from(client);
  const TableName = 'floor';
  try {
    await client.send(new CreateTableCommand({ TableName, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const keys = Array.from({ length: ops }, (_, i) => `USER#bench#${i}`);
    await pool(keys, 8, async (pk) => {
      await db.send(new PutCommand({ TableName, Item: { pk, step: 0, state: 'x'.repeat(600) } }));
    });
    const rounds: number[] = [];
    for (let round = 0; round < 4; round++) {
      const started = nowMs();
      await pool(keys, concurrency, async (pk) => {
        await db.send(new GetCommand({ TableName, Key: { pk }, ConsistentRead: true }));
        await db.send(new UpdateCommand({ TableName, Key: { pk }, UpdateExpression: 'SET step = :step', ConditionExpression: 'step < :step', ExpressionAttributeValues: { ':step': round + 1 } }));
      });
      if (round > 0) rounds.push(ops / ((nowMs() - started) / 1000));
    }
    return rounds;
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
