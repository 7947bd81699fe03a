/**
 * The stateless half of Twofold as one construct, for a platform team's own CDK app: a
 * function per concern with what it needs (infra/function-needs.ts), the HTTP API from the
 * route table (optionally on a custom domain), the schedules, code delivery (SNS, SES), the
 * alarms and the dashboard. It holds no data: the TwofoldData's tables, key and bus come in as
 * `data`, directly in the same stack, through SSM parameters from another (no export).
 *
 * Its effective settings (SMS on/off, email from, schedules, ...) are attached as an info
 * annotation, which `cdk synth` prints, and the props are checked before anything is made: an
 * email fromAddress outside the configured SES identity is refused with the reason.
 */
import { reservedConcurrencyAtGoal, stageThrottleAtGoal } from '../capacity';
import { Annotations, CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { E164_NUMBER, SMS_SENDER_ID } from '@twofold/adapters/sms-origination';
import { routedFunctions, type RoutedFunction } from '@twofold/contract/route-definition';
import { lambdaFunctions, scheduledFunctions, type LambdaFunctionName, type ScheduledFunctionName } from '../bundling';
import { functionNeeds } from '../function-needs';
import { Alarms } from './alarms';
import { Delivery } from './delivery';
import { Observability, type AlarmThresholds } from './observability';
import { RoutedApi, type ApiDomain } from './routed-api';
import { ScheduledRun, schedules as defaultSchedules, type ScheduleSpec } from './schedules';
import { ServiceFunction } from './service-function';
import { TwofoldData, type TwofoldDataResources } from './twofold-data';

/** SMS codes through Amazon SNS, Twilio or Vonage. */
export interface TwofoldSmsProps {
  /** Alphanumeric sender id, where the destination country supports one (1-11 letters and digits). */
  readonly senderId?: string;
  /** An origination number (E.164) owned by the account, where the destination country requires one. */
  readonly originationNumber?: string;
  /** Alarm when SNS's SMS spend this month reaches this many US dollars (SNS's own limit is set on the account). @default 10 */
  readonly monthlySpendAlarmUsd?: number;
  /** Who sends the texts. @default 'sns' */
  readonly provider?: 'sns' | 'twilio' | 'vonage';
  /** Twilio's credentials (a Secrets Manager secret of {accountSid, authToken, from}); required with provider 'twilio'. */
  readonly twilioSecretArn?: string;
  /** Vonage's credentials (a Secrets Manager secret of {apiKey, apiSecret, from}); required with provider 'vonage'. */
  readonly vonageSecretArn?: string;
}

/** Email codes through Amazon SES: the identity that sends, as its domain or its ARN (exactly one). */
export interface TwofoldEmailProps {
  /** What the From header says, e.g. "Acme <no-reply@acme.example>": an address of the identity. */
  readonly fromAddress: string;
  /** A verified SES domain identity of this account and region (the address may be on it or a subdomain). */
  readonly domain?: string;
  /** A verified SES identity by ARN: a domain (as `domain`) or one email address (then the address is it). */
  readonly identityArn?: string;
  /** An SES configuration set to send with (its event destinations see bounces and complaints). */
  readonly configurationSet?: string;
}

/** How often the scheduled jobs run. */
export interface TwofoldSchedules {
  /** Publishes security events that failed to publish when they happened. Whole minutes, 1 to 5. @default 1 minute */
  readonly eventRelay?: Duration;
  /** Grace-period deadlines and reminders. Whole minutes, 5 to 1440. @default 1 hour */
  readonly graceExpiry?: Duration;
}

export interface TwofoldServiceProps {
  /** The data: a TwofoldData (same stack or another of the app), or TwofoldData.fromParameters(...) for one deployed by another app. */
  readonly data: TwofoldData | TwofoldDataResources;
  /** The deployment's name: metrics' `service` dimension, dashboard `<name>-twofold`. @default the TwofoldData's name, else 'twofold' */
  readonly name?: string;
  /** The `iss` of the assertions (JWT) that client apps check. @default 'twofold' */
  readonly issuer?: string;
  /** SMS codes; absent: no SMS factors (enrolling one answers sms_not_configured). */
  readonly sms?: TwofoldSmsProps;
  /** Email codes; absent: no email factors. */
  readonly email?: TwofoldEmailProps;
  /** Serve the API on this domain (regional; the certificate in the same region). @default the execute-api URL only */
  readonly domain?: ApiDomain;
  /** Every alarm notifies this topic. @default a topic of the service's own */
  readonly alarmTopic?: ITopic;
  /** Subscribe this address to the alarm topic. */
  readonly alarmEmail?: string;
  readonly alarmThresholds?: AlarmThresholds;
  readonly schedules?: TwofoldSchedules;
  /** The API stage's throttling, for all clients together. @default sized for the goal (infra/capacity.ts): 9,500 requests/s, burst 5,000 */
  readonly api?: { readonly throttleRatePerSecond?: number; readonly throttleBurst?: number };
  /** Reserved concurrency per function, over the defaults sized for the goal (infra/capacity.ts); null: none reserved. */
  readonly reservedConcurrency?: Partial<Record<LambdaFunctionName, number | null>>;
  /** Every tenant's request quota unless the operator set its own (tenant:quota): requests per second. @default 1000 */
  readonly tenantRequestsPerSecond?: number;
  /** Every tenant's burst unless the operator set its own. @default 2000 */
  readonly tenantBurst?: number;
  /** How long function and access logs are kept. @default three months */
  readonly logRetention?: RetentionDays;
  /** X-Ray active tracing and Powertools Tracer in every function. @default false */
  readonly tracing?: boolean;
  /**
   * Memory of every function, in MB (128-10240). Lambda gives CPU in proportion: crypto (ES256,
   * HKDF, AES-GCM) and cold starts go faster with more; docs/cost.md shows what it costs.
   * @default 1024
   */
  readonly functionMemoryMb?: number;
}

/** What the service was made with, as `cdk synth` prints it. */
export interface TwofoldEffectiveSettings {
  name: string;
  issuer: string;
  sms: 'off' | { senderId: string | null; originationNumber: string | null; monthlySpendAlarmUsd: number };
  email: 'off' | { fromAddress: string; identity: string; configurationSet: string | null };
  domain: string | null;
  schedules: Record<ScheduledFunctionName, string>;
  apiThrottle: { ratePerSecond: number; burst: number };
  tenantQuota: { requestsPerSecond: number; burst: number };
  tracing: boolean;
  functionMemoryMb: number;
}

const SES_IDENTITY_ARN = /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/(.+)$/;

export class TwofoldService extends Construct {
  readonly functions: Record<LambdaFunctionName, LambdaFunction>;
  readonly api: RoutedApi;
  /** The API's address (the custom domain when there is one). */
  readonly url: string;
  readonly alarmTopic: ITopic;
  readonly dashboard: Dashboard;
  /** The data as this service reaches it. */
  readonly data: TwofoldDataResources;
  readonly settings: TwofoldEffectiveSettings;

  constructor(scope: Construct, id: string, props: TwofoldServiceProps) {
    super(scope, id);
    const name = props.name ?? (props.data instanceof TwofoldData ? props.data.name : 'twofold');
    const specs = scheduleSpecs(props.schedules);
    this.settings = effectiveSettings(name, props, specs);
    Annotations.of(this).addInfo(`Twofold ${describeSettings(this.settings)}`);

    const data = (this.data = props.data instanceof TwofoldData ? props.data.resourcesFor(this) : props.data);
    const alarms = new Alarms(this, 'Alarms', { ...(props.alarmTopic ? { topic: props.alarmTopic } : {}), ...(props.alarmEmail ? { email: props.alarmEmail } : {}) });
    this.alarmTopic = alarms.topic;
    const sms = props.sms ? { ...props.sms, provider: props.sms.provider ?? 'sns', monthlySpendAlarmUsd: props.sms.monthlySpendAlarmUsd ?? 10 } : undefined;
    const delivery = new Delivery(this, 'Delivery', { sms, email: props.email, alarms });

    const isScheduled = (fn: LambdaFunctionName) => (scheduledFunctions as readonly string[]).includes(fn);
    this.functions = Object.fromEntries(
      lambdaFunctions.map((fn) => [
        fn,
        new ServiceFunction(this, fn, {
          name: fn,
          needs: functionNeeds[fn],
          data,
          delivery,
          issuer: this.settings.issuer,
          logRetention: props.logRetention ?? RetentionDays.THREE_MONTHS,
          timeout: isScheduled(fn) ? Duration.minutes(5) : Duration.seconds(10),
          serviceName: name,
          tracing: this.settings.tracing,
          memoryMb: this.settings.functionMemoryMb,
          tenantQuota: this.settings.tenantQuota,
          reservedConcurrency: props.reservedConcurrency?.[fn] === undefined ? reservedConcurrencyAtGoal[fn] : (props.reservedConcurrency[fn] ?? undefined),
        }).fn,
      ]),
    ) as Record<LambdaFunctionName, LambdaFunction>;
    // nodejs22.x on purpose: the bundles are built for node22 (infra/bundling.ts) and run there
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the bundles target (infra/bundling.ts target node22); moving to a newer runtime is a change of bundling target and a test run, not a default.',
    });

    this.api = new RoutedApi(this, 'Api', {
      functions: this.functions,
      throttle: this.settings.apiThrottle,
      logRetention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      ...(props.domain ? { domain: props.domain } : {}),
    });
    this.url = this.api.url;

    for (const fn of scheduledFunctions) {
      new ScheduledRun(this, `${fn}-schedule`, { name: fn, fn: this.functions[fn], spec: specs[fn], alarms });
    }

    const pick = <K extends LambdaFunctionName>(names: readonly K[]) => Object.fromEntries(names.map((n) => [n, this.functions[n]])) as Record<K, LambdaFunction>;
    this.dashboard = new Observability(this, 'Observability', {
      name,
      api: this.api.api,
      routedFunctions: pick<RoutedFunction>(routedFunctions),
      scheduledFunctions: pick<ScheduledFunctionName>(scheduledFunctions),
      tables: data.tables,
      alarms,
      ...(props.alarmThresholds ? { thresholds: props.alarmThresholds } : {}),
      sms: sms !== undefined,
    }).dashboard;

    new CfnOutput(this, 'ApiUrl', { value: this.url, description: 'The Twofold API: call it with an API key (Authorization: Bearer tf_...)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Alarms notify this SNS topic' });
  }
}

/** The schedules with the props' rhythm, each checked. */
function scheduleSpecs(given: TwofoldSchedules = {}): Record<ScheduledFunctionName, ScheduleSpec> {
  const check = (what: string, every: Duration | undefined, fallback: Duration, minMinutes: number, maxMinutes: number) => {
    const chosen = every ?? fallback;
    const minutes = chosen.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < minMinutes || minutes > maxMinutes) {
      throw new Error(`TwofoldService schedules.${what}: whole minutes from ${minMinutes} to ${maxMinutes}, not ${chosen.toHumanString()}.`);
    }
    return chosen;
  };
  return {
    'event-relay': { ...defaultSchedules['event-relay'], every: check('eventRelay', given.eventRelay, defaultSchedules['event-relay'].every, 1, 5) },
    'grace-expiry': { ...defaultSchedules['grace-expiry'], every: check('graceExpiry', given.graceExpiry, defaultSchedules['grace-expiry'].every, 5, 1440) },
  };
}

/** The address inside "Name <address>", or the whole value. */
export const addressOf = (from: string) => (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim();

/** Checks the props a template cannot check later, and says what the service will do. */
function effectiveSettings(name: string, props: TwofoldServiceProps, specs: Record<ScheduledFunctionName, ScheduleSpec>): TwofoldEffectiveSettings {
  const refuse = (message: string): never => {
    throw new Error(`TwofoldService: ${message}`);
  };
  const { sms, email } = props;
  if (sms?.senderId !== undefined && !SMS_SENDER_ID.test(sms.senderId)) refuse(`sms.senderId "${sms.senderId}": 1 to 11 letters and digits.`);
  if (sms?.originationNumber !== undefined && !E164_NUMBER.test(sms.originationNumber)) refuse(`sms.originationNumber "${sms.originationNumber}": an E.164 number such as +12065550100.`);
  if (sms?.monthlySpendAlarmUsd !== undefined && !(sms.monthlySpendAlarmUsd > 0)) refuse('sms.monthlySpendAlarmUsd: more than 0.');
  if (sms?.provider === 'twilio' && !sms.twilioSecretArn) refuse('sms.provider "twilio" needs sms.twilioSecretArn (a Secrets Manager secret).');
  if (sms?.provider === 'vonage' && !sms.vonageSecretArn) refuse('sms.provider "vonage" needs sms.vonageSecretArn (a Secrets Manager secret).');
  for (const [field, value, max] of [['tenantRequestsPerSecond', props.tenantRequestsPerSecond, 100_000], ['tenantBurst', props.tenantBurst, 1_000_000]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > max)) refuse(`${field} ${value}: a whole number from 1 to ${max}.`);
  }
  const memory = props.functionMemoryMb ?? 1024;
  if (!Number.isInteger(memory) || memory < 128 || memory > 10240) refuse(`functionMemoryMb ${memory}: whole MB from 128 to 10240.`);
  let identity = '';
  if (email) {
    if ((email.domain === undefined) === (email.identityArn === undefined)) refuse('email: give exactly one of domain and identityArn (the SES identity that sends).');
    const address = addressOf(email.fromAddress).toLowerCase();
    const at = address.lastIndexOf('@');
    if (at < 1 || at === address.length - 1) refuse(`email.fromAddress "${email.fromAddress}" has no address (name@domain).`);
    const fromDomain = address.slice(at + 1);
    identity = email.domain ?? SES_IDENTITY_ARN.exec(email.identityArn!)?.[1] ?? refuse(`email.identityArn "${email.identityArn}" is not an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<domain or address>).`);
    const identityName = identity.toLowerCase();
    if (identityName.includes('@')) {
      // an email-address identity sends from that address only
      if (address !== identityName) refuse(`email.fromAddress "${email.fromAddress}" is not the SES identity ${identity}: SES refuses to send from it.`);
    } else if (fromDomain !== identityName && !fromDomain.endsWith(`.${identityName}`)) {
      // a domain identity covers its own addresses and its subdomains'
      refuse(`email.fromAddress "${email.fromAddress}" is outside the SES domain ${identity}: SES sends only from addresses of a verified identity. Use an address @${identity} (or a subdomain), or configure the identity of ${fromDomain}.`);
    }
  }
  return {
    name,
    issuer: props.issuer ?? 'twofold',
    sms: sms ? { senderId: sms.senderId ?? null, originationNumber: sms.originationNumber ?? null, monthlySpendAlarmUsd: sms.monthlySpendAlarmUsd ?? 10 } : 'off',
    email: email ? { fromAddress: email.fromAddress, identity, configurationSet: email.configurationSet ?? null } : 'off',
    domain: props.domain?.domainName ?? null,
    schedules: { 'event-relay': specs['event-relay'].every.toHumanString(), 'grace-expiry': specs['grace-expiry'].every.toHumanString() },
    apiThrottle: { ratePerSecond: props.api?.throttleRatePerSecond ?? stageThrottleAtGoal.ratePerSecond, burst: props.api?.throttleBurst ?? stageThrottleAtGoal.burst },
    tenantQuota: { requestsPerSecond: props.tenantRequestsPerSecond ?? 1000, burst: props.tenantBurst ?? 2000 },
    tracing: props.tracing ?? false,
    functionMemoryMb: memory,
  };
}

/** The effective settings on a few lines, for `cdk synth`. */
export function describeSettings(s: TwofoldEffectiveSettings): string {
  const sms = s.sms === 'off' ? 'off' : `on (sender id ${s.sms.senderId ?? 'none'}, origination number ${s.sms.originationNumber ?? 'none'}, spend alarm at ${s.sms.monthlySpendAlarmUsd} USD/month)`;
  const email = s.email === 'off' ? 'off' : `from ${s.email.fromAddress} (SES identity ${s.email.identity}${s.email.configurationSet ? `, configuration set ${s.email.configurationSet}` : ''})`;
  return [
    `${s.name}: issuer ${s.issuer}`,
    `  SMS: ${sms}`,
    `  email: ${email}`,
    `  domain: ${s.domain ?? 'none (execute-api URL)'}`,
    `  schedules: event relay every ${s.schedules['event-relay']}, grace expiry every ${s.schedules['grace-expiry']}`,
    `  API throttle: ${s.apiThrottle.ratePerSecond}/s, burst ${s.apiThrottle.burst}; tenant quota ${s.tenantQuota.requestsPerSecond}/s, burst ${s.tenantQuota.burst}; functions ${s.functionMemoryMb} MB; tracing ${s.tracing ? 'on' : 'off'}`,
  ].join('\n');
}
