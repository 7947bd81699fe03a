/**
 * The EventBridge bus that security events go to (source `twofold`, detail-type the event's
 * type: packages/contract/src/events.ts). Client apps subscribe with rules of their own, so it
 * lives with the stateful resources: redeploying the service leaves their subscriptions alone.
 */
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export class SecurityEvents extends Construct {
  readonly bus: IEventBus;

  constructor(scope: Construct, id: string, props: { busName: string }) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName, description: 'Twofold security events' });
  }
}
