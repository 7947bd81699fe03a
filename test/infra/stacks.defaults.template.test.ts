/** With no context at all (an offline `npm run synth`): a working deployment without SMS, email or alarm subscription. */
import { describe, expect, it } from 'vitest';
import { lambdaFunctions } from '../../infra/bundling';
import { actionsOf, allStatements, resourcesOf, synthTwofold } from './synth';

const { stateful, stateless, statelessTemplate } = synthTwofold();

describe('default settings', () => {
  it('make the stacks twofold-stateful and twofold-stateless, the bus twofold-security-events', () => {
    expect([stateful.stackName, stateless.stackName]).toEqual(['twofold-stateful', 'twofold-stateless']);
    expect(stateless.dependencies.map((s) => s.stackName)).toEqual(['twofold-stateful']);
  });

  it('set no SMS or email sender and grant no sending', () => {
    for (const [, fn] of resourcesOf(statelessTemplate, 'AWS::Lambda::Function')) {
      const env = Object.keys((fn.Properties!.Environment as { Variables: object }).Variables);
      expect(env.filter((k) => /SMS|EMAIL|SES/.test(k))).toEqual([]);
    }
    const actions = allStatements(statelessTemplate).flatMap(actionsOf);
    expect(actions).not.toContain('sns:Publish');
    expect(actions).not.toContain('ses:SendEmail');
  });

  it('have no SMS spend alarm and no subscription to the alarm topic', () => {
    const metrics = resourcesOf(statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!.MetricName);
    expect(metrics).not.toContain('SMSMonthToDateSpentUSD');
    statelessTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('still make every function', () => {
    statelessTemplate.resourceCountIs('AWS::Lambda::Function', lambdaFunctions.length);
  });
});
