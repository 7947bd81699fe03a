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
/** How long a container keeps an API key's record unless TWOFOLD_API_KEY_CACHE_SECONDS says otherwise. */
export const DEFAULT_API_KEY_CACHE_SECONDS = 60;
const cacheSeconds = (fallback: number) => z._default(wholeNumber().check(z.minimum(0), z.maximum(300)), fallback);
/** What a setting means: the settings table in docs/operations.md is made from these (infra/settings-table.ts). */
const about = (description: string) => z.meta({ description });
const table = (what: string) => name().check(about(`The DynamoDB table of ${what} (the stack sets it)`));

/** The schema of the environment; exported for the settings table of the docs. */
export const ConfigSchema = z.pipe(
  z
    .object({
      TWOFOLD_DIRECTORY_TABLE: table('tenants, API keys and the signing key'),
      TWOFOLD_SECRETS_TABLE: table("users, factors and recovery codes"),
      TWOFOLD_ATTEMPTS_TABLE: table('challenges, send throttles and the tenant quota census'),
      TWOFOLD_DEVICES_TABLE: table('trusted devices'),
      TWOFOLD_IDEMPOTENCY_TABLE: table('idempotency records'),
      TWOFOLD_EVENTS_TABLE: table('security events (the audit trail and the outbox of the bus)'),
      TWOFOLD_PROMPTS_TABLE: table('hosted prompts'),
      TWOFOLD_EVENT_BUS: optionalName().check(about('EventBridge bus name; unset: the local event log')),
      TWOFOLD_EVENT_LOG_FILE: optionalName().check(about('Without a bus: the file the local event log is kept in (unset: in memory)')),
      TWOFOLD_KEY_VAULT: z._default(z.enum(['kms', 'local']), 'kms').check(about('What protects the tenants\' data keys: AWS KMS, or a local master key file')),
      TWOFOLD_KMS_KEY_ID: optionalName().check(about('With kms: the KMS key (id or ARN)')),
      TWOFOLD_LOCAL_KEY_FILE: optionalName().check(about('With local: the master key file')),
      TWOFOLD_DYNAMODB_ENDPOINT: z.optional(z.url()).check(about('Another DynamoDB than the region\'s (DynamoDB Local, dynalite, a proxy)')),
      AWS_REGION: z._default(name(), 'us-east-1').check(about('The AWS region of the tables, the key and the senders (Lambda sets it)')),
      TWOFOLD_ISSUER: z._default(name(), 'twofold').check(about('The `iss` of the signed assertions')),
      TWOFOLD_SMS_SENDER: z._default(z.enum(['sns', 'twilio', 'vonage', 'local', 'none']), 'none').check(about('Who sends text messages; none: no SMS factors (sms_not_configured)')),
      TWOFOLD_TWILIO_SECRET_ID: optionalName().check(about('Secrets Manager secret (name or ARN) with the Twilio credentials, JSON: accountSid, authToken (or apiKeySid and apiKeySecret), from or messagingServiceSid')),
      TWOFOLD_TWILIO_API_URL: z.optional(z.url()).check(about('With twilio: another base URL than https://api.twilio.com (tests, a proxy)')),
      TWOFOLD_VONAGE_SECRET_ID: optionalName().check(about('Secrets Manager secret (name or ARN) with the Vonage credentials, JSON: apiKey, apiSecret, from')),
      TWOFOLD_VONAGE_API_URL: z.optional(z.url()).check(about('With vonage: another base URL than https://rest.nexmo.com (tests, a proxy)')),
      TWOFOLD_SMS_SENDER_ID: z.optional(z.string().check(z.regex(SMS_SENDER_ID))).check(about('With sns: the alphanumeric sender id (1 to 11 letters and digits)')),
      TWOFOLD_SMS_ORIGINATION_NUMBER: z.optional(z.string().check(z.regex(E164_NUMBER))).check(about('With sns: the origination number (E.164)')),
      TWOFOLD_SMS_OUTBOX_FILE: optionalName().check(about('With local: the file the outbox is kept in (unset: in memory)')),
      TWOFOLD_EMAIL_SENDER: z._default(z.enum(['ses', 'none']), 'none').check(about('Who sends emails; none: no email factors')),
      TWOFOLD_EMAIL_FROM: z.optional(z.string().check(z.minLength(3))).check(about('With ses: the From header, an address of the verified identity')),
      TWOFOLD_SES_CONFIGURATION_SET: optionalName().check(about('With ses: the configuration set to send with')),
      TWOFOLD_SES_ENDPOINT: z.optional(z.url()).check(about('Another SES than the region\'s (the local SES emulator)')),
      TWOFOLD_SENDS_PER_USER_PER_HOUR: sendsPerHour(10).check(about('Codes sent to one user in a sliding hour')),
      TWOFOLD_SENDS_PER_DESTINATION_PER_HOUR: sendsPerHour(10).check(about('Codes sent to one phone number or address in a sliding hour')),
      TWOFOLD_SENDS_PER_TENANT_PER_HOUR: sendsPerHour(1000).check(about('Codes sent for one tenant in a sliding hour')),
      TWOFOLD_TENANT_REQUESTS_PER_SECOND: z._default(wholeNumber().check(z.minimum(1), z.maximum(100_000)), 1000).check(about("A tenant's request quota unless the operator set its own: requests per second")),
      TWOFOLD_TENANT_BURST: z._default(wholeNumber().check(z.minimum(1), z.maximum(1_000_000)), 2000).check(about("A tenant's burst unless the operator set its own")),
      TWOFOLD_TENANT_CACHE_SECONDS: cacheSeconds(30).check(about("How long a container keeps a tenant's record (policy, quota): a change reaches other containers within it")),
      TWOFOLD_API_KEY_CACHE_SECONDS: cacheSeconds(DEFAULT_API_KEY_CACHE_SECONDS).check(about("How long a container keeps an API key's record: a revoked key stops working in other containers within it (at once in the one that revoked it)")),
      TWOFOLD_TRACING: z._default(z.enum(['on', 'off']), 'off').check(about('Powertools Tracer (X-Ray) around requests and AWS SDK calls')),
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
