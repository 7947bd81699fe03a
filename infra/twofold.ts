/**
 * The repo's own Twofold deployment: the stateful stack (a TwofoldData) and the stateless stack
 * (a TwofoldService) that it feeds through SSM parameters, never CloudFormation exports, so the
 * stateful stack can always change. infra/app.ts builds it from the CDK context; tests build
 * it from settings of their own. A platform team uses the constructs directly
 * (infra/constructs/index.ts).
 */
import type { App, Environment } from 'aws-cdk-lib';
import type { Settings } from './settings';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

export function defineTwofold(app: App, settings: Settings, env?: Environment) {
  const common = { ...(env ? { env } : {}), settings, tags: { app: 'twofold', deployment: settings.prefix } };
  const stateful = new StatefulStack(app, `${settings.prefix}-stateful`, {
    ...common,
    description: 'Twofold: DynamoDB tables, the KMS key, the security-events bus (retained)',
  });
  const stateless = new StatelessStack(app, `${settings.prefix}-stateless`, {
    ...common,
    description: 'Twofold: Lambda functions, HTTP API, schedules, alarms, dashboard',
    data: stateful.data,
  });
  return { stateful, stateless };
}
