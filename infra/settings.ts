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
    /** Alphanumeric sender id, where the destination country supports one (the same rule as the runtime config: adapters/sms-origination.ts). */
    senderId: z.string().regex(SMS_SENDER_ID).optional(),
    /** An origination number (E.164) owned by the account, where the destination country requires one. */
    originationNumber: z.string().regex(E164_NUMBER).optional(),
    /** Alarm when SNS's SMS spend this month reaches this many US dollars (SNS's own limit is set on the account). */
    monthlySpendAlarmUsd: z.number().positive().default(10),
    /** Who sends the texts: Amazon SNS (default), Twilio or Vonage (their credentials in a Secrets Manager secret, `twilioSecretArn` or `vonageSecretArn`). */
    provider: z.enum(['sns', 'twilio', 'vonage']).default('sns'),
    /** The secret with the Twilio credentials, JSON: accountSid, authToken (or apiKeySid and apiKeySecret), from or messagingServiceSid. */
    twilioSecretArn: secretArn.optional(),
    /** The secret with the Vonage credentials, JSON: apiKey, apiSecret, from. */
    vonageSecretArn: secretArn.optional(),
  })
  .strict()
  .refine((s) => s.provider !== 'twilio' || s.twilioSecretArn !== undefined, { message: 'provider "twilio" needs twilioSecretArn', path: ['twilioSecretArn'] })
  .refine((s) => s.provider !== 'vonage' || s.vonageSecretArn !== undefined, { message: 'provider "vonage" needs vonageSecretArn', path: ['vonageSecretArn'] });

const EmailSettings = z
  .object({
    /** What the From header says, e.g. "Acme <no-reply@acme.example>": an address of the verified identity. */
    fromAddress: z.string().min(3),
    /** The verified SES identity that sends: its ARN, or the domain (an identity of this account and region). */
    identityArn: z.string().regex(/^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/.+$/).optional(),
    domain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i).optional(),
    /** An SES configuration set to send with (its event destinations see bounces and complaints). */
    configurationSet: z.string().min(1).optional(),
  })
  .strict()
  .refine((e) => (e.identityArn === undefined) !== (e.domain === undefined), { message: 'give exactly one of identityArn and domain' });

export const Settings = z
  .object({
    /** Names this deployment: the stacks are `<prefix>-stateful` and `<prefix>-stateless`, the metrics' service `<prefix>`. */
    prefix: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/).default('twofold'),
    /** The `iss` of the assertions (JWT) that client apps check. */
    issuer: z.string().min(1).default('twofold'),
    /** How long function and access logs are kept, in days (one of CloudWatch's retention values). */
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => retentionDays.includes(d), { message: `one of ${retentionDays.join(', ')}` })
      .default(RetentionDays.THREE_MONTHS),
    /** The API stage's throttling: steady requests per second and burst, for all clients together (default: sized for the goal, infra/capacity.ts). */
    api: z
      .object({
        throttleRatePerSecond: z.number().positive().default(stageThrottleAtGoal.ratePerSecond),
        throttleBurst: z.number().int().positive().default(stageThrottleAtGoal.burst),
      })
      .strict()
      .default({ throttleRatePerSecond: stageThrottleAtGoal.ratePerSecond, throttleBurst: stageThrottleAtGoal.burst }),
    /** Every tenant's request quota unless the operator set its own (npm run tenant:quota): requests per second, and burst. */
    tenantRequestsPerSecond: z.number().int().min(1).max(100_000).default(1000),
    tenantBurst: z.number().int().min(1).max(1_000_000).default(2000),
    /** The EventBridge bus of security events; default `<prefix>-security-events`. */
    eventBusName: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/).optional(),
    /** SMS codes through Amazon SNS; absent: no SMS factors (enrolling one answers sms_not_configured). */
    sms: SmsSettings.optional(),
    /** Email codes through Amazon SES; absent: no email factors. */
    email: EmailSettings.optional(),
    /** Who is emailed when an alarm fires (SMS spend, a scheduled job failing); absent: subscribe to the topic yourself. */
    alarmEmail: z.email().optional(),
    /** An SNS topic of the account that every alarm notifies, instead of a topic of the deployment's own. */
    alarmTopicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/).optional(),
    /** The API on a custom domain: an ACM certificate of the same region covering it; with a hosted zone, the alias records too. */
    domain: z
      .object({
        name: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/i),
        certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/),
        hostedZoneId: z.string().min(1).optional(),
        hostedZoneName: z.string().min(1).optional(),
      })
      .strict()
      .refine((d) => (d.hostedZoneId === undefined) === (d.hostedZoneName === undefined), { message: 'give both hostedZoneId and hostedZoneName, or neither' })
      .optional(),
    /** How often the scheduled jobs run, in minutes (event relay 1-5, default 1; grace expiry 5-1440, default 60). */
    schedules: z.object({ eventRelayMinutes: z.number().int().optional(), graceExpiryMinutes: z.number().int().optional() }).strict().optional(),
    /** X-Ray tracing (Powertools Tracer) in every function; off by default. */
    tracing: z.boolean().optional(),
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
