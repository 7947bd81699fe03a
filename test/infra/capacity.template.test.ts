/**
 * The stage throttle and the functions' reserved concurrency, as deployed: with no settings the
 * values sized for the goal (infra/capacity.ts, the table in docs/operations.md), with settings
 * the operator's; and the tenants' default request quota in every keyed function's environment.
 */
import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { lambdaFunctions, type LambdaFunctionName } from '../../infra/bundling';
import { ACCOUNT } from '../../infra/capacity';
import { resourcesOf, synthTwofold } from './synth';

function deployed(settings: unknown = {}) {
  const { stateless, statelessTemplate } = synthTwofold(settings);
  const fnProps = (name: LambdaFunctionName) => {
    const id = stateless.getLogicalId(stateless.functions[name].node.defaultChild as CfnResource);
    return statelessTemplate.toJSON().Resources[id].Properties as { ReservedConcurrentExecutions?: number; Environment: { Variables: Record<string, string> } };
  };
  const stage = resourcesOf(statelessTemplate, 'AWS::ApiGatewayV2::Stage')[0]![1].Properties as { DefaultRouteSettings: { ThrottlingRateLimit: number; ThrottlingBurstLimit: number } };
  return { fnProps, stage };
}

describe('sized for 4,000 verifications/s and 1,000 sends/s', () => {
  const { fnProps, stage } = deployed();

  it('the stage throttles at 9,500 requests/s, burst 5,000: the goal with 10 % for the rest, within the account’s 10,000', () => {
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 9500, ThrottlingBurstLimit: 5000 });
  });

  it('reserves verify 180, challenge 510, enrollment 30, admin 45, devices 8, public 8, leaving at least 100 of 1,000 unreserved', () => {
    const reserved = Object.fromEntries(lambdaFunctions.map((name) => [name, fnProps(name).ReservedConcurrentExecutions]).filter(([, n]) => n !== undefined));
    expect(reserved).toEqual({ verify: 180, challenge: 510, enrollment: 30, admin: 45, devices: 8, public: 8 });
    const sum = Object.values(reserved).reduce((a: number, b) => a + Number(b), 0);
    expect(sum).toBeLessThanOrEqual(ACCOUNT.lambdaConcurrency - ACCOUNT.lambdaUnreserved);
  });

  it("tells every keyed function the tenants' default quota, 1,000/s burst 2,000", () => {
    for (const name of ['enrollment', 'challenge', 'verify', 'devices', 'admin'] as const) {
      expect(fnProps(name).Environment.Variables).toMatchObject({ TWOFOLD_TENANT_REQUESTS_PER_SECOND: '1000', TWOFOLD_TENANT_BURST: '2000' });
    }
  });
});

describe("the operator's settings", () => {
  it('override the stage throttle and the tenant quota', () => {
    const { fnProps, stage } = deployed({ api: { throttleRatePerSecond: 300, throttleBurst: 600 }, tenantRequestsPerSecond: 20, tenantBurst: 40 });
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 });
    expect(fnProps('verify').Environment.Variables).toMatchObject({ TWOFOLD_TENANT_REQUESTS_PER_SECOND: '20', TWOFOLD_TENANT_BURST: '40' });
  });
});
