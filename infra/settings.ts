/**
 * The deployment's settings, read once from the CDK context key `twofold` (cdk.json,
 * cdk.context.json, or `-c twofold='{"issuer": "..."}'`) and checked with zod: a typo fails
 * the synth with the field's name instead of deploying something else. Every field has a
 * default, so `npm run synth` works with no context at all.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { E164_NUMBER, SMS_SENDER_ID } from '@twofold/adapters/sms-origination';
import { stageThrottleAtGoal } from './capacity';

/** The context key the settings live under. */
export const SETTINGS_CONTEXT_KEY = 'twofold';

const retentionDays = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

const secretArn = z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/);

const SmsSettings = z
  .object({
    senderId: z.string().regex(SMS_SENDER_ID).optional().describe('Alphanumeric sender id (1 to 11 letters and digits), where the destination country supports one'),
    originationNumber: z.string().regex(E164_NUMBER).optional().describe('An origination number (E.164) owned by the account, where the destination country requires one'),
    monthlySpendAlarmUsd: z.number().positive().default(10).describe("Alarm when SNS's SMS spend this month reaches this many US dollars (SNS's own limit is set on the account)"),
    provider: z.enum(['sns', 'twilio', 'vonage']).default('sns').describe('Who sends the texts: Amazon SNS, Twilio or Vonage (their credentials in a Secrets Manager secret: twilioSecretArn or vonageSecretArn)'),
    twilioSecretArn: secretArn.optional().describe('The secret with the Twilio credentials, JSON: accountSid, authToken (or apiKeySid and apiKeySecret), from or messagingServiceSid'),
    vonageSecretArn: secretArn.optional().describe('The secret with the Vonage credentials, JSON: apiKey, apiSecret, from'),
  })
  .strict()
  .refine((s) => s.provider !== 'twilio' || s.twilioSecretArn !== undefined, { message: 'provider "twilio" needs twilioSecretArn', path: ['twilioSecretArn'] })
  .refine((s) => s.provider !== 'vonage' || s.vonageSecretArn !== undefined, { message: 'provider "vonage" needs vonageSecretArn', path: ['vonageSecretArn'] });

const EmailSettings = z
  .object({
    fromAddress: z.string().min(3).describe('What the From header says, e.g. "Acme <no-reply@acme.example>": an address of the verified identity'),
    identityArn: z.string().regex(/^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/.+$/).optional().describe('The verified SES identity that sends, by its ARN (give this or domain)'),
    domain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i).optional().describe('The verified SES identity that sends, by its domain: an identity of this account and region (give this or identityArn)'),
    configurationSet: z.string().min(1).optional().describe('An SES configuration set to send with (its event destinations see bounces and complaints)'),
  })
  .strict()
  .refine((e) => (e.identityArn === undefined) !== (e.domain === undefined), { message: 'give exactly one of identityArn and domain' });

/** Each field's description is what it means in the settings table of docs/operations.md (infra/settings-table.ts). */
export const Settings = z
  .object({
    prefix: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/).default('twofold').describe("Names this deployment: the stacks are `<prefix>-stateful` and `<prefix>-stateless`, the metrics' service `<prefix>`"),
    issuer: z.string().min(1).default('twofold').describe('The `iss` of the assertions (JWT) that client apps check'),
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => retentionDays.includes(d), { message: `one of ${retentionDays.join(', ')}` })
      .default(RetentionDays.THREE_MONTHS)
      .describe("How long function and access logs are kept, in days (one of CloudWatch's retention values)"),
    api: z
      .object({
        throttleRatePerSecond: z.number().positive().default(stageThrottleAtGoal.ratePerSecond).describe("The API stage's steady requests per second, for all clients together (sized for the goal: infra/capacity.ts)"),
        throttleBurst: z.number().int().positive().default(stageThrottleAtGoal.burst).describe("The API stage's burst, for all clients together"),
      })
      .strict()
      .default({ throttleRatePerSecond: stageThrottleAtGoal.ratePerSecond, throttleBurst: stageThrottleAtGoal.burst }),
    tenantRequestsPerSecond: z.number().int().min(1).max(100_000).default(1000).describe("Every tenant's request quota unless the operator set its own (npm run tenant:quota): requests per second"),
    tenantBurst: z.number().int().min(1).max(1_000_000).default(2000).describe("Every tenant's burst unless the operator set its own"),
    eventBusName: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/).optional().describe('The EventBridge bus of security events; unset: `<prefix>-security-events`'),
    sms: SmsSettings.optional().describe('SMS codes; unset: no SMS factors (enrolling one answers sms_not_configured)'),
    email: EmailSettings.optional().describe('Email codes through Amazon SES; unset: no email factors'),
    alarmEmail: z.email().optional().describe('Who is emailed when an alarm fires (SMS spend, a scheduled job failing); unset: subscribe to the topic yourself'),
    alarmTopicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/).optional().describe('An SNS topic of the account that every alarm notifies, instead of a topic of the deployment\'s own'),
    domain: z
      .object({
        name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/i).describe('The custom domain name of the API'),
        certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/).describe('An ACM certificate of the same region covering it'),
        hostedZoneId: z.string().min(1).optional().describe('With hostedZoneName: the hosted zone the alias records go in'),
        hostedZoneName: z.string().min(1).optional().describe('With hostedZoneId: that zone\'s name'),
      })
      .strict()
      .refine((d) => (d.hostedZoneId === undefined) === (d.hostedZoneName === undefined), { message: 'give both hostedZoneId and hostedZoneName, or neither' })
      .optional()
      .describe('The API on a custom domain; unset: the execute-api URL'),
    schedules: z
      .object({
        eventRelayMinutes: z.number().int().optional().describe('How often the event relay runs, in minutes: 1 to 5; unset: 1'),
        graceExpiryMinutes: z.number().int().optional().describe('How often grace expiry runs, in minutes: 5 to 1440; unset: 60'),
      })
      .strict()
      .optional(),
    tracing: z.boolean().optional().describe('X-Ray tracing (Powertools Tracer) in every function; unset: off'),
  })
  .strict();

export type Settings = z.infer<typeof Settings>;
export type SmsSettings = z.infer<typeof SmsSettings>;
export type EmailSettings = z.infer<typeof EmailSettings>;

/**
 * The settings from the context value: an object (cdk.json), or a JSON string (`-c twofold=...`
 * passes strings). Throws a readable error naming each wrong field.
 */
export function readSettings(contextValue: unknown): Settings {
  let raw = contextValue ?? {};
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new Error(`The context value "${SETTINGS_CONTEXT_KEY}" is not valid JSON.`);
    }
  }
  const parsed = Settings.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${[SETTINGS_CONTEXT_KEY, ...i.path].join('.')}: ${i.message}`).join('; ');
    throw new Error(`Twofold settings are invalid: ${problems}`);
  }
  return parsed.data;
}

export const eventBusNameOf = (settings: Settings) => settings.eventBusName ?? `${settings.prefix}-security-events`;
