/**
 * The deployment's settings, parsed once at cold start from the environment the CDK stack (or
 * the local runtime) sets. Nothing else reads process.env. A missing setting fails loudly.
 */
import * as z from 'zod';

const ConfigSchema = z
  .object({
    TWOFOLD_DIRECTORY_TABLE: z.string().min(1),
    TWOFOLD_SECRETS_TABLE: z.string().min(1),
    TWOFOLD_ATTEMPTS_TABLE: z.string().min(1),
    TWOFOLD_DEVICES_TABLE: z.string().min(1),
    TWOFOLD_KEY_VAULT: z.enum(['kms', 'local']).default('kms'),
    TWOFOLD_KMS_KEY_ID: z.string().min(1).optional(),
    TWOFOLD_LOCAL_KEY_FILE: z.string().min(1).optional(),
    TWOFOLD_DYNAMODB_ENDPOINT: z.url().optional(),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    TWOFOLD_TENANT_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    TWOFOLD_API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  })
  .superRefine((c, ctx) => {
    if (c.TWOFOLD_KEY_VAULT === 'kms' && !c.TWOFOLD_KMS_KEY_ID) ctx.addIssue({ code: 'custom', message: 'TWOFOLD_KMS_KEY_ID is required with the kms key vault', path: ['TWOFOLD_KMS_KEY_ID'] });
    if (c.TWOFOLD_KEY_VAULT === 'local' && !c.TWOFOLD_LOCAL_KEY_FILE) ctx.addIssue({ code: 'custom', message: 'TWOFOLD_LOCAL_KEY_FILE is required with the local key vault', path: ['TWOFOLD_LOCAL_KEY_FILE'] });
  })
  .transform((c) => ({
    tables: {
      directory: c.TWOFOLD_DIRECTORY_TABLE,
      secrets: c.TWOFOLD_SECRETS_TABLE,
      attempts: c.TWOFOLD_ATTEMPTS_TABLE,
      devices: c.TWOFOLD_DEVICES_TABLE,
    },
    keyVault: c.TWOFOLD_KEY_VAULT === 'kms' ? { kind: 'kms' as const, keyId: c.TWOFOLD_KMS_KEY_ID! } : { kind: 'local' as const, keyFile: c.TWOFOLD_LOCAL_KEY_FILE! },
    region: c.AWS_REGION,
    dynamoDbEndpoint: c.TWOFOLD_DYNAMODB_ENDPOINT,
    tenantCacheSeconds: c.TWOFOLD_TENANT_CACHE_SECONDS,
    apiKeyCacheSeconds: c.TWOFOLD_API_KEY_CACHE_SECONDS,
  }));

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigEnv = z.input<typeof ConfigSchema>;

/** The environment variable names, for the CDK stack and the local runtime to set. */
export const configKeys = {
  directoryTable: 'TWOFOLD_DIRECTORY_TABLE',
  secretsTable: 'TWOFOLD_SECRETS_TABLE',
  attemptsTable: 'TWOFOLD_ATTEMPTS_TABLE',
  devicesTable: 'TWOFOLD_DEVICES_TABLE',
  keyVault: 'TWOFOLD_KEY_VAULT',
  kmsKeyId: 'TWOFOLD_KMS_KEY_ID',
  localKeyFile: 'TWOFOLD_LOCAL_KEY_FILE',
  dynamoDbEndpoint: 'TWOFOLD_DYNAMODB_ENDPOINT',
} as const satisfies Record<string, keyof ConfigEnv>;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Twofold configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
