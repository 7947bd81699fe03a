/**
 * SMS through Twilio or Vonage in the synthesized template: the functions that send codes get
 * the provider's secret ARN in their environment beside the one permission to read that secret,
 * and no SNS publish; the SNS spend alarm is not made (their spend is not in CloudWatch); a
 * provider without its secret fails the synth naming the setting (the construct's own refusal:
 * construct.embedded.test.ts).
 */
import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import type { LambdaFunctionName } from '../../infra/bundling';
import { readSettings } from '../../infra/settings';
import { accessOf, fullSettings, resourcesOf, synthTwofold } from './synth';

describe.each([
  { provider: 'twilio', setting: 'twilioSecretArn', variable: 'TWOFOLD_TWILIO_SECRET_ID', other: 'vonageSecretArn' },
  { provider: 'vonage', setting: 'vonageSecretArn', variable: 'TWOFOLD_VONAGE_SECRET_ID', other: 'twilioSecretArn' },
] as const)('SMS through $provider', ({ provider, setting, variable, other }) => {
  const secretArn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:twofold/${provider}-AbCdEf`;
  const stacks = synthTwofold({ ...fullSettings, sms: { provider, [setting]: secretArn } });

  const envOf = (name: LambdaFunctionName) => {
    const fn = stacks.statelessTemplate.toJSON().Resources[stacks.stateless.getLogicalId(stacks.stateless.functions[name].node.defaultChild as CfnResource)];
    return fn.Properties.Environment.Variables as Record<string, unknown>;
  };

  it.each(['enrollment', 'challenge'] as const)(`%s reads the ${provider} secret, and only that one; it publishes nothing to SNS`, (name) => {
    const access = accessOf(stacks, name);
    expect(access.snsPublish).toBeUndefined();
    expect(access.other).toEqual(['secretsmanager:GetSecretValue']);
    expect(envOf(name)).toMatchObject({ TWOFOLD_SMS_SENDER: provider, [variable]: secretArn });
    const statements = stacks.statelessTemplate.toJSON().Resources;
    expect(JSON.stringify(statements)).toContain(`"Resource":"${secretArn}"`);
  });

  it('a function that only needs to know SMS exists gets the setting without the permission', () => {
    expect(envOf('admin')).toMatchObject({ TWOFOLD_SMS_SENDER: provider });
    expect(accessOf(stacks, 'admin').other).toEqual([]);
  });

  it('no SNS spend alarm', () => {
    const alarms = resourcesOf(stacks.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties));
    expect(alarms.some((a) => a.includes('SMSMonthToDateSpentUSD'))).toBe(false);
  });

  it(`provider ${provider} without ${setting} fails the synth, naming it (the other provider's secret is not its own)`, () => {
    expect(() => readSettings({ sms: { provider } })).toThrow(`twofold.sms.${setting}`);
    expect(() => readSettings({ sms: { provider, [other]: secretArn } })).toThrow(`twofold.sms.${setting}`);
  });
});
