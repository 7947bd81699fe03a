/**
 * The code and how it is reached, replaceable at will: a function per concern with what it
 * needs, the HTTP API from the route table, the schedules, code delivery and alarms. It holds
 * no data: the stateful stack's tables, key and bus come in as props.
 */
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { lambdaFunctions, scheduledFunctions, type LambdaFunctionName } from '../bundling';
import { Alarms } from '../constructs/alarms';
import { Delivery } from '../constructs/delivery';
import { RoutedApi } from '../constructs/routed-api';
import { ScheduledRun, schedules } from '../constructs/schedules';
import { ServiceFunction } from '../constructs/service-function';
import { functionNeeds } from '../function-needs';
import type { Settings } from '../settings';
import type { StatefulResources } from './stateful-stack';

const isScheduled = (name: LambdaFunctionName) => (scheduledFunctions as readonly string[]).includes(name);

export class StatelessStack extends Stack {
  readonly functions: Record<LambdaFunctionName, NodejsFunction>;
  readonly api: RoutedApi;

  constructor(scope: Construct, id: string, props: StackProps & { settings: Settings; data: StatefulResources }) {
    super(scope, id, props);
    const { settings, data } = props;
    const alarms = new Alarms(this, 'Alarms', { email: settings.alarmEmail });
    const delivery = new Delivery(this, 'Delivery', { sms: settings.sms, email: settings.email, alarms });

    this.functions = Object.fromEntries(
      lambdaFunctions.map((name) => [
        name,
        new ServiceFunction(this, name, {
          name,
          needs: functionNeeds[name],
          data,
          delivery,
          issuer: settings.issuer,
          logRetention: settings.logRetentionDays,
          timeout: isScheduled(name) ? Duration.minutes(5) : Duration.seconds(10),
        }).fn,
      ]),
    ) as Record<LambdaFunctionName, NodejsFunction>;
    // nodejs22.x on purpose: the bundles are built for node22 (infra/bundling.ts) and run there
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the bundles target (infra/bundling.ts target node22); moving to a newer runtime is a change of bundling target and a test run, not a default.',
    });

    this.api = new RoutedApi(this, 'Api', {
      functions: this.functions,
      throttle: { ratePerSecond: settings.api.throttleRatePerSecond, burst: settings.api.throttleBurst },
      logRetention: settings.logRetentionDays,
    });

    for (const name of scheduledFunctions) {
      new ScheduledRun(this, `${name}-schedule`, { name, fn: this.functions[name], spec: schedules[name], alarms });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url, description: 'The Twofold API: call it with an API key (Authorization: Bearer tf_...)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn, description: 'Alarms notify this SNS topic' });
  }
}
