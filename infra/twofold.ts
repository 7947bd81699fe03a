/**
 * The Twofold deployment: the stateful stack (tables, key, bus) and the stateless stack (the
 * functions, the API, the schedules) that it feeds. infra/app.ts builds it from the CDK context;
 * tests build it from settings of their own.
 */
import type { App, Environment } from 'aws-cdk-lib';
import type { Settings } from './settings';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

/** The stateless stack imports the stateful one's exports; "strong" keeps CloudFormation from removing an export still in use. */
const CROSS_STACK_REFERENCES = '@aws-cdk/core:defaultCrossStackReferences';

export function defineTwofold(app: App, settings: Settings, env?: Environment) {
  // cdk.json may say otherwise; the app must not have stacks yet to take a context value
  if (app.node.tryGetContext(CROSS_STACK_REFERENCES) === undefined) app.node.setContext(CROSS_STACK_REFERENCES, 'strong');
  const common = { ...(env ? { env } : {}), settings, tags: { app: 'twofold', deployment: settings.prefix } };
  const stateful = new StatefulStack(app, `${settings.prefix}-stateful`, {
    ...common,
    description: 'Twofold: DynamoDB tables, the KMS key, the security-events bus (retained)',
  });
  const stateless = new StatelessStack(app, `${settings.prefix}-stateless`, {
    ...common,
    description: 'Twofold: Lambda functions, HTTP API, schedules, alarms',
    data: stateful,
  });
  return { stateful, stateless };
}
