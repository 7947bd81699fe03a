/**
 * A JSON secret from AWS Secrets Manager, read once per container (on first use) and checked
 * with its schema; a read that fails is tried again on the next use, not cached. Rotating the
 * secret reaches a container when it next starts.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type * as z from 'zod/mini';

export function secretsManagerSecret<S extends z.ZodMiniType>(client: SecretsManagerClient, secretId: string, schema: S): () => Promise<z.infer<S>> {
  let value: Promise<z.infer<S>> | undefined;
  return () =>
    (value ??= (async () => {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      let json: unknown;
      try {
        json = JSON.parse(SecretString ?? '');
      } catch {
        throw new Error(`secret ${secretId} is not JSON`);
      }
      const parsed = schema.safeParse(json);
      // the secret's problems by field, never its values
      if (!parsed.success) throw new Error(`secret ${secretId}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(secret)'}: ${i.message}`).join('; ')}`);
      return parsed.data as z.infer<S>;
    })().catch((error: unknown) => {
      value = undefined;
      throw error;
    }));
}
