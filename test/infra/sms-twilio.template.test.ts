/**
 * SMS through Twilio in the synthesized template: the functions that send codes get the secret's
 * ARN in their environment beside the one permission to read that secret, and no SNS publish;
 * the SNS spend alarm is not made (Twilio's spend is not in CloudWatch); a Twilio provider
 * without its secret fails the synth naming the setting.
 */
import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import type { LambdaFunctionName } from '../../infra/bundling';
import { readSettings } from '../../infra/settings';
import { accessOf, fullSettings, resourcesOf, synthTwofold } from './synth';

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:twofold/twilio-AbCdEf';
const stacks = synthTwofold({ ...fullSettings, sms: { provider: 'twilio', twilioSecretArn: secretArn } });

const envOf = (name: LambdaFunctionName) => {
  const fn = stacks.statelessTemplate.toJSON().Resources[stacks.stateless.getLogicalId(stacks.stateless.functions[name].node.defaultChild as CfnResource)];
  return fn.Properties.Environment.Variables as Record<string, unknown>;
};

describe('SMS through Twilio', () => {
  it.each(['enrollment', 'challenge'] as const)('%s reads the Twilio secret, and only that one; it publishes nothing to SNS', (name) => {
    const access = accessOf(stacks, name);
    expect(access.snsPublish).toBeUndefined();
    expect(access.other).toEqual(['secretsmanager:GetSecretValue']);
    expect(envOf(name)).toMatchObject({ TWOFOLD_SMS_SENDER: 'twilio', TWOFOLD_TWILIO_SECRET_ID: secretArn });
    const statements = stacks.statelessTemplate.toJSON().Resources;
    expect(JSON.stringify(statements)).toContain(`"Resource":"${secretArn}"`);
  });

  it('a function that only needs to know SMS exists gets the setting without the permission', () => {
    expect(envOf('admin')).toMatchObject({ TWOFOLD_SMS_SENDER: 'twilio' });
    expect(accessOf(stacks, 'admin').other).toEqual([]);
  });

  it('no SNS spend alarm', () => {
    const alarms = resourcesOf(stacks.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties));
    expect(alarms.some((a) => a.includes('SMSMonthToDateSpentUSD'))).toBe(false);
  });

  it('provider twilio without twilioSecretArn fails the synth, naming it', () => {
    expect(() => readSettings({ sms: { provider: 'twilio' } })).toThrow('twofold.sms.twilioSecretArn');
  });
});
