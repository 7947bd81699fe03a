/**
 * The deployment's settings, parsed once at cold start from the environment the CDK stack (or
 * the local runtime) sets. Nothing else reads process.env. A missing setting fails loudly.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { E164_NUMBER, SMS_SENDER_ID } from '@twofold/adapters/sms-origination';

// zod/mini has no default locale: without this a problem would read only "Invalid input"
z.config(en());

const name = () => z.string().check(z.minLength(1));
const optionalName = () => z.optional(name());
/** A whole number read from the environment's text. */
const wholeNumber = () => z.coerce.number().check(z.int());
const sendsPerHour = (fallback: number) => z._default(wholeNumber().check(z.minimum(1)), fallback);
const cacheSeconds = (fallback: number) => z._default(wholeNumber().check(z.minimum(0), z.maximum(300)), fallback);

const ConfigSchema = z.pipe(
  z
    .object({
      TWOFOLD_DIRECTORY_TABLE: name(),
      TWOFOLD_SECRETS_TABLE: name(),
      TWOFOLD_ATTEMPTS_TABLE: name(),
      TWOFOLD_DEVICES_TABLE: name(),
      TWOFOLD_IDEMPOTENCY_TABLE: name(),
      TWOFOLD_EVENTS_TABLE: name(),
      TWOFOLD_PROMPTS_TABLE: name(),
      TWOFOLD_EVENT_BUS: optionalName().check(z.meta({ description: 'EventBridge bus name; unset: the local event log' })),
      TWOFOLD_EVENT_LOG_FILE: optionalName(),
      TWOFOLD_KEY_VAULT: z._default(z.enum(['kms', 'local']), 'kms'),
      TWOFOLD_KMS_KEY_ID: optionalName(),
      TWOFOLD_LOCAL_KEY_FILE: optionalName(),
      TWOFOLD_DYNAMODB_ENDPOINT: z.optional(z.url()),
      AWS_REGION: z._default(name(), 'us-east-1'),
      TWOFOLD_ISSUER: z._default(name(), 'twofold'),
      TWOFOLD_SMS_SENDER: z._default(z.enum(['sns', 'twilio', 'vonage', 'local', 'none']), 'none'),
      TWOFOLD_TWILIO_SECRET_ID: optionalName().check(z.meta({ description: 'Secrets Manager secret (name or ARN) with the Twilio credentials, JSON: accountSid, authToken (or apiKeySid and apiKeySecret), from or messagingServiceSid' })),
      TWOFOLD_TWILIO_API_URL: z.optional(z.url()),
      TWOFOLD_VONAGE_SECRET_ID: optionalName().check(z.meta({ description: 'Secrets Manager secret (name or ARN) with the Vonage credentials, JSON: apiKey, apiSecret, from' })),
      TWOFOLD_VONAGE_API_URL: z.optional(z.url()),
      TWOFOLD_SMS_SENDER_ID: z.optional(z.string().check(z.regex(SMS_SENDER_ID))),
      TWOFOLD_SMS_ORIGINATION_NUMBER: z.optional(z.string().check(z.regex(E164_NUMBER))),
      TWOFOLD_SMS_OUTBOX_FILE: optionalName(),
      TWOFOLD_EMAIL_SENDER: z._default(z.enum(['ses', 'none']), 'none'),
      TWOFOLD_EMAIL_FROM: z.optional(z.string().check(z.minLength(3))),
      TWOFOLD_SES_CONFIGURATION_SET: optionalName(),
      TWOFOLD_SES_ENDPOINT: z.optional(z.url()),
      TWOFOLD_SENDS_PER_USER_PER_HOUR: sendsPerHour(10),
      TWOFOLD_SENDS_PER_DESTINATION_PER_HOUR: sendsPerHour(10),
      TWOFOLD_SENDS_PER_TENANT_PER_HOUR: sendsPerHour(1000),
      TWOFOLD_TENANT_REQUESTS_PER_SECOND: z._default(wholeNumber().check(z.minimum(1), z.maximum(100_000)), 1000).check(z.meta({ description: "A tenant's request quota unless the operator set its own: requests per second" })),
      TWOFOLD_TENANT_BURST: z._default(wholeNumber().check(z.minimum(1), z.maximum(1_000_000)), 2000).check(z.meta({ description: "A tenant's burst unless the operator set its own" })),
      TWOFOLD_TENANT_CACHE_SECONDS: cacheSeconds(30),
      TWOFOLD_API_KEY_CACHE_SECONDS: cacheSeconds(60),
      TWOFOLD_TRACING: z._default(z.enum(['on', 'off']), 'off').check(z.meta({ description: 'Powertools Tracer (X-Ray) around requests and AWS SDK calls' })),
    })
    .check(
      z.superRefine((c, ctx) => {
        if (c.TWOFOLD_KEY_VAULT === 'kms' && !c.TWOFOLD_KMS_KEY_ID) ctx.addIssue({ code: 'custom', message: 'TWOFOLD_KMS_KEY_ID is required with the kms key vault', path: ['TWOFOLD_KMS_KEY_ID'] });
        if (c.TWOFOLD_SMS_SENDER === 'twilio' && !c.TWOFOLD_TWILIO_SECRET_ID) ctx.addIssue({ code: 'custom', message: 'TWOFOLD_TWILIO_SECRET_ID is required with the twilio SMS sender', path: ['TWOFOLD_TWILIO_SECRET_ID'] });
        if (c.TWOFOLD_SMS_SENDER === 'vonage' && !c.TWOFOLD_VONAGE_SECRET_ID) ctx.addIssue({ code: 'custom', message: 'TWOFOLD_VONAGE_SECRET_ID is required with the vonage SMS sender', path: ['TWOFOLD_VONAGE_SECRET_ID'] });
        if (c.TWOFOLD_EMAIL_SENDER === 'ses' && !c.TWOFOLD_EMAIL_FROM) ctx.addIssue({ code: 'custom', message: 'TWOFOLD_EMAIL_FROM is required with the ses email sender', path: ['TWOFOLD_EMAIL_FROM'] });
        // in AWS (KMS) events must reach the bus: without it they would go to a local log and be lost
        if (c.TWOFOLD_KEY_VAULT === 'kms' && !c.TWOFOLD_EVENT_BUS) ctx.addIssue({ code: 'custom', message: 'TWOFOLD_EVENT_BUS is required with the kms key vault (a deployment in AWS)', path: ['TWOFOLD_EVENT_BUS'] });
        if (c.TWOFOLD_KEY_VAULT === 'local' && !c.TWOFOLD_LOCAL_KEY_FILE) ctx.addIssue({ code: 'custom', message: 'TWOFOLD_LOCAL_KEY_FILE is required with the local key vault', path: ['TWOFOLD_LOCAL_KEY_FILE'] });
      }),
    ),
  z.transform((c) => ({
    tables: {
      directory: c.TWOFOLD_DIRECTORY_TABLE,
      secrets: c.TWOFOLD_SECRETS_TABLE,
      attempts: c.TWOFOLD_ATTEMPTS_TABLE,
      devices: c.TWOFOLD_DEVICES_TABLE,
      idempotency: c.TWOFOLD_IDEMPOTENCY_TABLE,
      events: c.TWOFOLD_EVENTS_TABLE,
      prompts: c.TWOFOLD_PROMPTS_TABLE,
    },
    events: c.TWOFOLD_EVENT_BUS ? { kind: 'eventbridge' as const, busName: c.TWOFOLD_EVENT_BUS } : { kind: 'local' as const, file: c.TWOFOLD_EVENT_LOG_FILE },
    keyVault: c.TWOFOLD_KEY_VAULT === 'kms' ? { kind: 'kms' as const, keyId: c.TWOFOLD_KMS_KEY_ID! } : { kind: 'local' as const, keyFile: c.TWOFOLD_LOCAL_KEY_FILE! },
    sms:
      c.TWOFOLD_SMS_SENDER === 'sns'
        ? { kind: 'sns' as const, senderId: c.TWOFOLD_SMS_SENDER_ID, originationNumber: c.TWOFOLD_SMS_ORIGINATION_NUMBER }
        : c.TWOFOLD_SMS_SENDER === 'twilio'
          ? { kind: 'twilio' as const, secretId: c.TWOFOLD_TWILIO_SECRET_ID!, apiUrl: c.TWOFOLD_TWILIO_API_URL }
          : c.TWOFOLD_SMS_SENDER === 'vonage' && c.TWOFOLD_VONAGE_SECRET_ID
            ? { kind: 'vonage' as const, secretId: c.TWOFOLD_VONAGE_SECRET_ID, apiUrl: c.TWOFOLD_VONAGE_API_URL }
            : c.TWOFOLD_SMS_SENDER === 'local'
              ? { kind: 'local' as const, outboxFile: c.TWOFOLD_SMS_OUTBOX_FILE }
              : { kind: 'none' as const },
    email:
      c.TWOFOLD_EMAIL_SENDER === 'ses'
        ? { kind: 'ses' as const, fromAddress: c.TWOFOLD_EMAIL_FROM!, configurationSetName: c.TWOFOLD_SES_CONFIGURATION_SET, endpoint: c.TWOFOLD_SES_ENDPOINT }
        : { kind: 'none' as const },
    sendLimits: {
      perUserPerHour: c.TWOFOLD_SENDS_PER_USER_PER_HOUR,
      perDestinationPerHour: c.TWOFOLD_SENDS_PER_DESTINATION_PER_HOUR,
      perTenantPerHour: c.TWOFOLD_SENDS_PER_TENANT_PER_HOUR,
    },
    issuer: c.TWOFOLD_ISSUER,
    region: c.AWS_REGION,
    dynamoDbEndpoint: c.TWOFOLD_DYNAMODB_ENDPOINT,
    tenantCacheSeconds: c.TWOFOLD_TENANT_CACHE_SECONDS,
    /** The deployment's default tenant quota (a tenant record's own `quota` overrides it). */
    tenantQuota: { requestsPerSecond: c.TWOFOLD_TENANT_REQUESTS_PER_SECOND, burst: c.TWOFOLD_TENANT_BURST },
    apiKeyCacheSeconds: c.TWOFOLD_API_KEY_CACHE_SECONDS,
    tracing: c.TWOFOLD_TRACING === 'on',
  })),
);

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigEnv = z.input<typeof ConfigSchema>;

/** The environment variable names, for the CDK stack and the local runtime to set. */
export const configKeys = {
  directoryTable: 'TWOFOLD_DIRECTORY_TABLE',
  secretsTable: 'TWOFOLD_SECRETS_TABLE',
  attemptsTable: 'TWOFOLD_ATTEMPTS_TABLE',
  devicesTable: 'TWOFOLD_DEVICES_TABLE',
  idempotencyTable: 'TWOFOLD_IDEMPOTENCY_TABLE',
  eventsTable: 'TWOFOLD_EVENTS_TABLE',
  promptsTable: 'TWOFOLD_PROMPTS_TABLE',
  eventBus: 'TWOFOLD_EVENT_BUS',
  keyVault: 'TWOFOLD_KEY_VAULT',
  kmsKeyId: 'TWOFOLD_KMS_KEY_ID',
  localKeyFile: 'TWOFOLD_LOCAL_KEY_FILE',
  dynamoDbEndpoint: 'TWOFOLD_DYNAMODB_ENDPOINT',
  issuer: 'TWOFOLD_ISSUER',
  smsSender: 'TWOFOLD_SMS_SENDER',
  smsSenderId: 'TWOFOLD_SMS_SENDER_ID',
  smsOriginationNumber: 'TWOFOLD_SMS_ORIGINATION_NUMBER',
  twilioSecretId: 'TWOFOLD_TWILIO_SECRET_ID',
  vonageSecretId: 'TWOFOLD_VONAGE_SECRET_ID',
  emailSender: 'TWOFOLD_EMAIL_SENDER',
  emailFrom: 'TWOFOLD_EMAIL_FROM',
  sesConfigurationSet: 'TWOFOLD_SES_CONFIGURATION_SET',
  tracing: 'TWOFOLD_TRACING',
  tenantCacheSeconds: 'TWOFOLD_TENANT_CACHE_SECONDS',
  tenantRequestsPerSecond: 'TWOFOLD_TENANT_REQUESTS_PER_SECOND',
  tenantBurst: 'TWOFOLD_TENANT_BURST',
} as const satisfies Record<string, keyof ConfigEnv>;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Twofold configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
