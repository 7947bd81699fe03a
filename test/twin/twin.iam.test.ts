/**
 * The deployment twin enforces the template's IAM: a cloud assembly whose verify function lost
 * dynamodb:UpdateItem still enrols and starts challenges but fails the login with a 5xx, and the
 * twin says AccessDenied with the function and the action; a route the template lacks is a 404;
 * the KMS conditions on kms:EncryptionContext:<key> hold (the evaluator's patch); the schedules
 * run from the template's rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { startTwin } from '@twofold/local/twin/twin';
import { api } from '../support/api';
import { oathtool } from '../support/authenticator';
import { ManualClock } from '../support/fakes';
import { enrolTotp, STEP_SECONDS } from '../support/twofold';
import { changedAssembly, twinAssembly, withoutAction } from '../support/twin';

async function started(assembly: string) {
  const clock = new ManualClock();
  const denied: string[] = [];
  const twin = await startTwin({ assembly, port: 0, clock, scheduleTimers: false, onDenied: (line) => denied.push(line) });
  const tenant = await twin.createTenant('Acme Corp');
  return { twin, clock, denied, app: api(twin.baseUrl, tenant.appKey), admin: api(twin.baseUrl, tenant.adminKey) };
}

/** A route taken out of the template: GET /v1/admin/overview. */
const withoutOverviewRoute = (template: Parameters<Parameters<typeof changedAssembly>[0]>[0]) => {
  for (const [id, r] of Object.entries(template.Resources)) if (r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties?.RouteKey === 'GET /v1/admin/overview') delete template.Resources[id];
};

// one changed template, one twin, for two independent changes: the verify function's policy
// (the overview route is no part of a login) and the route (served by the admin function)
describe('a template changed: the verify function without dynamodb:UpdateItem, and the route GET /v1/admin/overview taken out', () => {
  let t: Awaited<ReturnType<typeof started>>;
  let changed: ReturnType<typeof changedAssembly>;
  beforeAll(async () => {
    changed = changedAssembly((template) => {
      withoutAction('verify', 'dynamodb:UpdateItem')(template);
      withoutOverviewRoute(template);
    });
    t = await started(changed.dir);
  });
  afterAll(async () => {
    await t.twin.stop();
    changed.remove();
  });

  it('enrols and starts challenges, fails the login with a 5xx and says AccessDenied with the function and the action', async () => {
    const enrolment = await enrolTotp(t, t.app, 'alice');
    expect(enrolment.recoveryCodes.length).toBeGreaterThan(0);
    const challenge = await t.app('POST', '/v1/users/alice/challenges', {});
    expect(challenge.status, challenge.text).toBe(201);
    t.clock.advanceSeconds(STEP_SECONDS);
    const login = await t.app('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: await oathtool(enrolment.secret, t.clock.nowMs()) });
    expect(login.status).toBeGreaterThanOrEqual(500);
    expect(login.text).not.toMatch(/AccessDenied|dynamodb|arn:/i);
    expect(t.denied.some((line) => /^AccessDenied verify: dynamodb:UpdateItem on arn:aws:dynamodb:[^ ]+:table\//.test(line))).toBe(true);
    expect(t.twin.gateway.denials.map((d) => `${d.caller} ${d.denial.request.action}`)).toContain('verify dynamodb:UpdateItem');
  });

  it('a route the template lacks is a 404 on the twin, as in AWS, while the other routes answer', async () => {
    expect((await t.admin('GET', '/v1/admin/overview')).status).toBe(404);
    expect((await t.admin('GET', '/v1/policy')).status).toBe(200);
  });
});

describe('the template as synthesized', () => {
  let t: Awaited<ReturnType<typeof started>>;
  beforeAll(async () => {
    t = await started(twinAssembly());
  });
  afterAll(() => t.twin.stop());

  it('logs in end to end with no call denied, and the event relay publishes from its schedule', async () => {
    const enrolment = await enrolTotp(t, t.app, 'bob');
    const challenge = await t.app('POST', '/v1/users/bob/challenges', {});
    t.clock.advanceSeconds(STEP_SECONDS);
    const login = await t.app('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: await oathtool(enrolment.secret, t.clock.nowMs()) });
    expect(login.status, login.text).toBe(200);
    // the relay publishes what the functions could not (none here): it runs from the template's rule, with its role
    const relayed = await fetch(`${t.twin.baseUrl}/_local/schedules/event-relay`, { method: 'POST' });
    expect(relayed.status).toBe(200);
    expect(await relayed.json()).toMatchObject({ published: 0 });
    const { events } = (await (await fetch(`${t.twin.baseUrl}/_local/events`)).json()) as { events: { type: string; userId: string }[] };
    expect(events.filter((e) => e.userId === 'bob').map((e) => e.type)).toEqual(expect.arrayContaining(['factor.added', 'two_factor.enabled']));
    expect(t.denied).toEqual([]);
  });

  it('imports a user with their TOTP secret through the admin function and logs them in, with no call denied', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const imported = await t.admin('POST', '/v1/admin/imports', { users: [{ userId: 'migrated', factors: [{ type: 'totp', secret }] }] });
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body).toEqual({ imported: 1, unchanged: 0, failed: [] });
    const challenge = await t.app('POST', '/v1/users/migrated/challenges', {});
    const login = await t.app('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: await oathtool(secret, t.clock.nowMs()) });
    expect(login.status, login.text).toBe(200);
    expect(t.denied).toEqual([]);
  });

  it('runs each function from its own asset, with its own role', () => {
    const names = t.twin.deployment.functions.map((f) => f.name).sort();
    expect(names).toEqual(['admin', 'challenge', 'console', 'devices', 'docs', 'enrollment', 'event-relay', 'grace-expiry', 'prompt', 'public', 'verify']);
    expect(new Set(t.twin.deployment.functions.map((f) => f.codeDirectory)).size).toBe(names.length);
    expect(new Set(t.twin.deployment.functions.map((f) => f.roleArn)).size).toBe(names.length);
  });
});

describe('kms:EncryptionContext:<key> conditions (the evaluator is patched: patches/)', () => {
  const key = 'arn:aws:kms:us-east-1:000000000000:key/k';
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key, Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'twofold-data-key' }, Null: { 'kms:EncryptionContext:tenantId': 'false' } } }],
  };
  const keyPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' }] };
  const decrypt = async (context: Record<string, string>) => {
    const r = await runSimulation(
      {
        request: {
          principal: 'arn:aws:iam::000000000000:role/verify',
          action: 'kms:Decrypt',
          resource: { resource: key, accountId: '000000000000' },
          contextVariables: { ...Object.fromEntries(Object.entries(context).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])), 'kms:EncryptionContextKeys': Object.keys(context) },
        },
        identityPolicies: [{ name: 'p', policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: keyPolicy,
      },
      {},
    );
    return r.resultType === 'error' ? 'error' : r.overallResult;
  };

  it('allows the context the policy names and denies any other', async () => {
    // without the patch the context keys are dropped and the first is a (false) deny
    expect(await decrypt({ purpose: 'twofold-data-key', tenantId: 'tn_1' })).toBe('Allowed');
    expect(await decrypt({ purpose: 'twofold-signing-key', tenantId: 'tn_1' })).not.toBe('Allowed');
    expect(await decrypt({ purpose: 'twofold-data-key' })).not.toBe('Allowed');
  });
});
