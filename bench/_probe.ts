// quick probe: verifications/s through a running npm start at c16 vs dynalite floor GetItem+UpdateItem at c16
import dynalite from 'dynalite';
import { DynamoDBClient, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { generate } from 'otplib';
const base = process.env.BASE ?? 'http://127.0.0.1:3000';
const N = Number(process.env.N ?? 300), C = 16;
const local = JSON.parse((await import('node:fs')).readFileSync(process.env.LOCALJSON!, 'utf8'));
const H = { authorization: `Bearer ${local.appKey}`, 'content-type': 'application/json' };
async function call(method: string, path: string, body?: unknown) {
  const r = await fetch(base + path, { method, headers: H, body: body === undefined ? undefined : JSON.stringify(body) });
  const t = await r.text(); if (r.status >= 400) throw new Error(`${method} ${path} ${r.status} ${t}`); return t ? JSON.parse(t) : undefined;
}
async function pool<T>(items: T[], c: number, f: (x: T) => Promise<void>) { let i = 0; await Promise.all(Array.from({ length: c }, async () => { while (i < items.length) await f(items[i++]!); })); }
const run = `u${Date.now()}`;
const users = Array.from({ length: N }, (_, i) => ({ id: `${run}-${i}`, secret: '', ch: '' }));
let t0 = performance.now();
await pool(users, 8, async (u) => {
  const f = await call('POST', `/v1/users/${u.id}/factors`, { type: 'totp' }); u.secret = f.secret;
  await call('POST', `/v1/users/${u.id}/factors/${f.factorId}/verify`, { code: await generate({ secret: u.secret }) });
});
console.log('enrolled', N, ((performance.now() - t0) / 1000).toFixed(1), 's');
// wait for next step so codes are fresh
const wait = 30_000 - (Date.now() % 30_000) + 200; await new Promise((r) => setTimeout(r, wait));
await pool(users, 8, async (u) => { u.ch = (await call('POST', `/v1/users/${u.id}/challenges`, {})).challengeId; });
const codes = await Promise.all(users.map((u) => generate({ secret: u.secret })));
console.log('VERIFY_START', process.hrtime.bigint()/1000n);
t0 = performance.now();
await pool(users.map((u, i) => ({ u, i })), C, async ({ u, i }) => { await call('POST', `/v1/challenges/${u.ch}/verify`, { code: codes[i] }); });
console.log('VERIFY_END', process.hrtime.bigint()/1000n);
const http = N / ((performance.now() - t0) / 1000);
console.log('npm start verify/s c16', http.toFixed(0));
// floor on dynalite
const server = dynalite({ createTableMs: 0 }); await new Promise<void>((r) => server.listen(4567, '127.0.0.1', () => r()));
const c = new DynamoDBClient({ endpoint: 'http://127.0.0.1:4567', region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const db = DynamoDBDocumentClient.from(c);
await c.send(new CreateTableCommand({ TableName: 'floor', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
for (let i = 0; i < N; i++) await db.send(new PutCommand({ TableName: 'floor', Item: { pk: `u${i}`, n: 0, blob: 'x'.repeat(600) } }));
const floorRun = async () => { const t = performance.now(); await pool(Array.from({ length: N }, (_, i) => i), C, async (i) => {
  await db.send(new GetCommand({ TableName: 'floor', Key: { pk: `u${i}` }, ConsistentRead: true }));
  await db.send(new UpdateCommand({ TableName: 'floor', Key: { pk: `u${i}` }, UpdateExpression: 'SET n = n + :one', ConditionExpression: 'n >= :z', ExpressionAttributeValues: { ':one': 1, ':z': 0 } }));
}); return N / ((performance.now() - t) / 1000); };
await floorRun(); const floor = await floorRun();
console.log('dynalite floor c16 (in-process)', floor.toFixed(0), 'ratio', (http / floor).toFixed(2));
server.close(); process.exit(0);
