/**
 * The mutation check of the template's IAM: for each function, each statement of its role's
 * policies is taken out in turn (on the twin, its containers restarted cold) and a short scenario
 * that uses the function runs again. A statement whose removal changes what the scenario answers
 * is needed; one whose removal changes nothing is a candidate for removal, and must be listed with
 * its reason. The scenario's calls are recorded once with every statement (from a cold start, then
 * warm) and evaluated again without each statement: one whose removal denies none of them cannot
 * change what the scenario answers (every call goes as before), so the scenario runs again only
 * for the statements whose removal denies a call. The table is docs/iam-least-privilege.md (UPDATE_IAM_TABLE=1 rewrites it); this
 * test fails when the template and the committed table disagree, or a statement nothing needs has
 * no reason.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTwin, type Twin } from '@twofold/local/twin/twin';
import { api, type Api } from '../support/api';
import { oathtool } from '../support/authenticator';
import { ManualClock } from '../support/fakes';
import { enrolTotp } from '../support/twofold';
import { twinAssembly } from '../support/twin';

const TABLE = 'docs/iam-least-privilege.md';

/** Statements no scenario needs, and why they stay. Keyed `<function>: <actions>`. */
const PUBLISH = 'events are written to the events table with the state change they record; the put to the bus is at least once from that outbox, so a denied put leaves them pending for the relay and the answer does not change (needed for timely delivery: test/e2e/events.*)';
const KEY_TOUCH = 'the best-effort note of when an API key was last used (KEYUSE# items): a denied touch is logged and the request goes on; needed for the console\'s last-used column';
const CENSUS = 'the tenant quota\'s container census (CENSUS# items): a check-in is off the request\'s path and a denied one keeps the last estimate and fails no request, by design (test/core/tenant-quota.census.test.ts)';
const PROMPT_PAGES = 'the hosted prompt\'s page steps (challenge, answer, setup, trusted device, signed assertion, codes sent) run in test/e2e/prompt.flows.test.ts on the twin with every call evaluated; this scenario starts a prompt and refuses a bad code only';
const reasons: Record<string, string> = {
  'enrollment: dynamodb:UpdateItem, dynamodb:BatchGetItem on table attempts': CENSUS,
  'challenge: dynamodb:UpdateItem, dynamodb:BatchGetItem on table attempts': CENSUS,
  'verify: dynamodb:UpdateItem, dynamodb:BatchGetItem on table attempts': CENSUS,
  'prompt: dynamodb:UpdateItem, dynamodb:BatchGetItem on table attempts': CENSUS,
  'devices: dynamodb:UpdateItem, dynamodb:BatchGetItem on table attempts': CENSUS,
  'admin: dynamodb:UpdateItem, dynamodb:BatchGetItem on table attempts': CENSUS,
  'prompt: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table secrets + index secrets/by-tenant + index secrets/grace + index secrets/enrolled + index secrets/lock-windows': PROMPT_PAGES,
  'prompt: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table attempts': PROMPT_PAGES,
  'prompt: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table devices': PROMPT_PAGES,
  'prompt: dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table events': PROMPT_PAGES,
  'prompt: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table prompts': PROMPT_PAGES,
  'prompt: dynamodb:UpdateItem on table directory': KEY_TOUCH,
  'prompt: kms:Decrypt on key': PROMPT_PAGES,
  'prompt: events:PutEvents on bus': PUBLISH,
  'prompt: ses:SendEmail on ses twofold.local': PROMPT_PAGES,
  'prompt: sns:Publish on *': PROMPT_PAGES,
  'event-relay: ses:SendEmail on ses twofold.local': 'the lockout notice email; the scenario\'s relay run has no lockout to notify (test/e2e/lockout.notice.test.ts)',
  'event-relay: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query on table directory': 'the lockout notice reads the tenant (name, message settings); the scenario\'s relay run has no lockout to notify (test/e2e/lockout.notice.test.ts)',

  'enrollment: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table devices': 'turning two-factor off removes the user\'s trusted devices; the scenario\'s user has none',
  'enrollment: dynamodb:UpdateItem on table directory': KEY_TOUCH,
  'enrollment: kms:Decrypt on key': 'the signing key, for fresh verification (recovery codes shown again): not in the scenario',
  'enrollment: events:PutEvents on bus': PUBLISH,
  'challenge: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table devices': 'a device token presented with the challenge (rotated on use); the scenario sends none',
  'challenge: dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table events': 'a reused device token revokes its device (an event); not in the scenario',
  'challenge: dynamodb:UpdateItem on table directory': KEY_TOUCH,
  'challenge: events:PutEvents on bus': PUBLISH,
  'challenge: ses:SendEmail on ses twofold.local': 'email codes at login: the scenario\'s users log in by TOTP and SMS',
  'verify: dynamodb:UpdateItem on table directory': KEY_TOUCH,
  'verify: events:PutEvents on bus': PUBLISH,
  'devices: dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table events': 'revoking a device writes device.revoked; the scenario\'s user has no device to revoke',
  'devices: dynamodb:UpdateItem on table directory': KEY_TOUCH,
  'devices: events:PutEvents on bus': PUBLISH,
  'admin: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table devices': 'an admin reset removes the user\'s trusted devices: not in the scenario',
  'admin: dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table directory': 'minting and revoking API keys and their last-use notes: the scenario only lists keys (a denied last-use note is tolerated)',
  'admin: kms:Decrypt on key': 'an admin reset or regeneration of a user\'s recovery codes opens the tenant\'s data key: not in the scenario',
  'admin: events:PutEvents on bus': PUBLISH,
  'event-relay: events:PutEvents on bus': 'the relay publishes what the functions could not; nothing is pending in the scenario (test/e2e/events.publish-failure covers it on npm start)',
  'grace-expiry: dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem on table events': 'expiring a grace period writes enforcement.grace_expired: no user is past a deadline in the scenario',
  'grace-expiry: dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query on table directory': 'the tenant\'s name for a reminder email: no reminder is due in the scenario',
  'grace-expiry: events:PutEvents on bus': PUBLISH,
  'grace-expiry: ses:SendEmail on ses twofold.local': 'reminder and expiry emails: none is due in the scenario',
  'grace-expiry: sqs:SendMessage, sqs:GetQueueAttributes, sqs:GetQueueUrl on sqs twofold-stateless-graceexpiryscheduleDeadLetters0D62444': 'the schedule\'s dead-letter queue, written by EventBridge with this role\'s grant, not by the function',
};

let twin: Twin;
let clock: ManualClock;
let app: Api;
let admin: Api;
let n = 0;
let totpSecret = '';

/** A statement's resources, short: `table secrets`, `index secrets/grace`, `key`, `bus`, `*`. */
function resourcesOf(resource: unknown): string {
  return [resource]
    .flat()
    .map((r) => {
      const arn = String(r);
      const table = /:table\/[^/]*?-Tables([a-z]+)[0-9A-F]{8}[^/]*(\/index\/(.+))?$/.exec(arn);
      if (table) return table[3] ? `index ${table[1]}/${table[3]}` : `table ${table[1]}`;
      if (arn.includes(':kms:')) return 'key';
      if (arn.includes(':event-bus/')) return 'bus';
      // the twin's generated names end with a suffix of its own (as CloudFormation's do): left out
      return arn.includes(':') ? `${arn.split(':')[2] ?? ''} ${(arn.split(/[:/]/).pop() ?? '').replace(/-[0-9a-f]{8}$/, '')}` : arn;
    })
    .join(' + ');
}

/**
 * An IAM pattern (`*` and `?` wildcards; case-insensitive, as actions are: for an ARN that only
 * matches more) against an action or ARN. A pattern with a policy variable is taken to match.
 */
function matches(pattern: unknown, value: string): boolean {
  if (String(pattern).includes('${')) return true;
  const source = String(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(value);
}

const PROMPT_CALLBACK = 'https://app.example.com/2fa/callback';

/** What a function's scenario answered: the statuses (and job outcomes) in order. */
type Scenario = () => Promise<string[]>;

const status = async (p: Promise<{ status: number }>) => String((await p).status);
const job = (name: string) => twin.runSchedule(name).then(
  () => 'ok',
  () => 'failed',
);

/** A new login for the user: an hour on first, so that the challenges earlier runs left pending have expired (20 pending at most). */
async function challengeFor(userId: string) {
  clock.advanceSeconds(3600);
  return app('POST', `/v1/users/${userId}/challenges`, {});
}

const scenarios: Record<string, Scenario> = {
  public: async () => [await status(api(twin.baseUrl)('GET', '/.well-known/jwks.json')), await status(api(twin.baseUrl)('GET', '/health'))],
  enrollment: async () => {
    const user = `enrol-${++n}`;
    const out = [await status(app('PUT', `/v1/users/${user}`, { email: `${user}@example.com` }))];
    const started = await app('POST', `/v1/users/${user}/factors`, { type: 'totp' });
    out.push(String(started.status));
    if (started.status === 201) out.push(await status(app('POST', `/v1/users/${user}/factors/${started.body.factorId}/verify`, { code: await oathtool(started.body.secret, clock.nowMs()) })));
    out.push(await status(app('POST', `/v1/users/${user}/factors`, { type: 'sms', phone: '+33612345678' })));
    out.push(await status(app('POST', `/v1/users/${user}/factors`, { type: 'email', email: `${user}@example.com` })));
    out.push(await status(app('GET', `/v1/users/${user}`)));
    out.push(await status(app('DELETE', `/v1/users/${user}/two-factor`)));
    return out;
  },
  challenge: async () => {
    const sms = `sms-${++n}`;
    // a number of its own each run: other scenarios' sends count against a shared number's hourly limit
    return [await status(challengeFor('mutant')), await status(app('POST', `/v1/users/${sms}/factors`, { type: 'sms', phone: `+3361234${String(1000 + n).padStart(4, '0')}` })), await status(challengeFor('smsuser')), await status(app('POST', '/v1/users/mutant/challenges', {}, { headers: { 'idempotency-key': `k-${n}` } }))];
  },
  verify: async () => {
    const challenge = await challengeFor('mutant');
    return [String(challenge.status), await status(app('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: await oathtool(totpSecret, clock.nowMs()), rememberDevice: true }))];
  },
  devices: async () => [await status(app('GET', '/v1/users/mutant/devices')), await status(app('DELETE', '/v1/users/nobody/devices'))],
  admin: async () => [
    await status(admin('GET', '/v1/policy')),
    await status(admin('PATCH', '/v1/policy', { codes: { maxInvalidAttempts: 5 + (++n % 3) } }, { headers: { 'content-type': 'application/merge-patch+json' } })),
    await status(admin('GET', '/v1/admin/users')),
    await status(admin('GET', '/v1/admin/overview')),
    await status(admin('GET', '/v1/admin/audit')),
    await status(admin('POST', '/v1/admin/users/mutant/unlock', {})),
    await status(admin('GET', '/v1/admin/api-keys')),
  ],
  prompt: async () => {
    const started = await app('POST', '/v1/prompts', { userId: 'mutant', redirectUri: PROMPT_CALLBACK, state: `s-${++n}`, codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', codeChallengeMethod: 'S256', purpose: 'login' });
    const page = started.status === 201 ? await status(api(twin.baseUrl)('GET', new URL(String(started.body.url)).pathname)) : 'none';
    return [String(started.status), page, await status(app('POST', '/v1/prompts/token', { code: 'x'.repeat(40), codeVerifier: 'v'.repeat(43) }))];
  },
  console: async () => [await status(api(twin.baseUrl)('GET', '/console'))],
  docs: async () => [await status(api(twin.baseUrl)('GET', '/openapi.json')), await status(api(twin.baseUrl)('GET', '/docs'))],
  'event-relay': async () => [await job('event-relay')],
  'grace-expiry': async () => [await job('grace-expiry')],
};

beforeAll(async () => {
  clock = new ManualClock();
  twin = await startTwin({ assembly: twinAssembly(), port: 0, clock, scheduleTimers: false, stageThrottle: false, onDenied: () => {} });
  const tenant = await twin.createTenant('Acme Corp');
  app = api(twin.baseUrl, tenant.appKey);
  admin = api(twin.baseUrl, tenant.adminKey);
  await admin('PATCH', '/v1/policy', { methods: { allowed: ['totp', 'sms', 'email'] }, hostedPrompt: { redirectUris: [PROMPT_CALLBACK] } }, { headers: { 'content-type': 'application/merge-patch+json' } });
  totpSecret = (await enrolTotp({ clock }, app, 'mutant')).secret;
  const sms = await app('POST', '/v1/users/smsuser/factors', { type: 'sms', phone: '+33612345679' });
  const code = (await twin.outbox()).at(-1)?.body.match(/\d{6}/)?.[0] ?? '';
  await app('POST', `/v1/users/smsuser/factors/${sms.body.factorId}/verify`, { code });
}, 120_000);
afterAll(() => twin?.stop());

it('every statement of every function is needed by its scenario, or listed with its reason', async () => {
  const rows: string[] = [];
  const unexplained: string[] = [];
  let reruns = 0;
  let offline = 0;
  for (const fn of twin.deployment.functions) {
    const scenario = scenarios[fn.name];
    if (!scenario) throw new Error(`no scenario for the function ${fn.name}: add one`);
    // from a cold start, as each run without a statement is: the calls a container makes when it starts are recorded too
    await twin.setPolicies(fn.name, fn.policies);
    const recording = twin.gateway.record();
    const baseline = JSON.stringify(await scenario());
    // a second run with all statements: the scenario must answer the same each time for the check to mean anything
    expect(JSON.stringify(await scenario()), `${fn.name}'s scenario is not repeatable`).toBe(baseline);
    recording.stop();
    // each distinct authorization the function asked for in the two runs
    const calls = [...new Map(recording.decisions.filter((d) => d.caller === fn.name).map((d) => [JSON.stringify(d.alternatives), d])).values()];
    const full = { arn: fn.roleArn, policies: fn.policies };
    // the offline evaluation is the gateway's: with every statement it decides each call as the gateway did
    for (const call of calls) expect((await twin.gateway.evaluate(full, call)) === undefined, `${fn.name}: ${JSON.stringify(call.alternatives)}`).toBe(call.allowed);
    /**
     * How many of the recorded calls the policies without `statement` would deny. A statement
     * applies to a request only when one of its actions and one of its resources match it: a call
     * with no such request is decided as before without it, so only the others are evaluated.
     */
    const deniedOffline = async (policies: typeof fn.policies, statement: { Action?: unknown; Resource?: unknown; NotAction?: unknown; NotResource?: unknown }) => {
      const applies = (r: { action: string; resource: string }) =>
        statement.NotAction !== undefined || statement.NotResource !== undefined || statement.Action === undefined || statement.Resource === undefined || ([statement.Action].flat().some((a) => matches(a, r.action)) && [statement.Resource].flat().some((a) => matches(a, r.resource)));
      let denied = 0;
      for (const call of calls) if (call.alternatives.flat().some(applies) && (await twin.gateway.evaluate({ arn: fn.roleArn, policies }, call))) denied++;
      return denied;
    };
    const statements = fn.policies.flatMap((p, policyIndex) => p.policy.Statement.map((statement, index) => ({ policyIndex, index, statement })));
    for (const { policyIndex, index, statement } of statements) {
      const actions = `${[statement.Action].flat().map(String).join(', ')} on ${resourcesOf(statement.Resource)}`;
      const label = `${fn.name}: ${actions}`;
      if ([statement.Action].flat().every((a) => String(a).startsWith('logs:'))) {
        rows.push(`| ${fn.name} | ${actions} | not checked | the Lambda service writes the function's logs with this role, not the function's code: the twin does not call it |`);
        continue;
      }
      const without = fn.policies.map((p, i) => (i === policyIndex ? { ...p, policy: { ...p.policy, Statement: p.policy.Statement.filter((_, j) => j !== index) } } : p));
      let answered = baseline;
      let denied = 0;
      // no recorded call denied without it: the scenario would make the same calls and answer the same, no need to run it
      if ((await deniedOffline(without, statement)) === 0) offline++;
      else {
        reruns++;
        await twin.setPolicies(fn.name, without);
        const denialsBefore = twin.gateway.denials.length;
        answered = JSON.stringify(await scenario());
        denied = twin.gateway.denials.slice(denialsBefore).filter((d) => d.caller === fn.name).length;
        await twin.setPolicies(fn.name, fn.policies);
      }
      const conditions = statement.Condition ? ` (${Object.values(statement.Condition as Record<string, Record<string, unknown>>).flatMap((c) => Object.keys(c)).join(', ')})` : '';
      if (answered !== baseline) rows.push(`| ${fn.name} | ${actions}${conditions} | needed | without it: ${answered} instead of ${baseline} |`);
      else {
        const reason = reasons[label];
        if (!reason) unexplained.push(`${label}${conditions}${denied ? ` (${denied} calls denied, answers unchanged)` : ' (no call of the scenario needs it)'}`);
        rows.push(`| ${fn.name} | ${actions}${conditions} | not needed by a test | ${reason ?? 'no reason given'} |`);
      }
    }
  }
  console.info(`IAM mutations: ${offline} statements decided on the recorded calls, ${reruns} by running the scenario again`);
  const table = ['# IAM least privilege: which statement each function needs', '', 'Generated by test/twin/iam.mutations.test.ts (`UPDATE_IAM_TABLE=1 npx vitest run test/twin/iam.mutations.test.ts`): each statement of each function\'s role taken out in turn on the deployment twin: the calls of the function\'s scenario, recorded with every statement, evaluated again without it, and where that denies one of them, the scenario run again from a cold start.', '', '| function | actions (conditions) | verdict | evidence or reason |', '|---|---|---|---|', ...rows, ''].join('\n');
  if (process.env.UPDATE_IAM_TABLE === '1') writeFileSync(TABLE, table);
  expect(unexplained, 'statements no scenario needs: remove them from infra/function-needs.ts or give a reason in this test').toEqual([]);
  expect(readFileSync(TABLE, 'utf8'), `${TABLE} is stale: run with UPDATE_IAM_TABLE=1`).toBe(table);
}, 240_000);
