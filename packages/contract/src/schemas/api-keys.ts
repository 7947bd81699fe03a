/** A tenant's API keys, as its admins list, create and revoke them. The key itself is shown once. */
import * as z from 'zod/mini';
import { isoTime, text } from './build';
import { Scope } from './common';

/** A key id: the 16 hex digits after `tf_` in the key. Not a secret: it finds the key's record. */
export const ApiKeyId = z.string().check(z.regex(/^[0-9a-f]{16}$/, 'keyId is 16 hexadecimal digits'), z.meta({ description: 'The key id (the 16 hex digits after tf_)' }));

export const ApiKeyPath = z.strictObject({ keyId: ApiKeyId });

export const ApiKeySummary = z
  .object({
    keyId: ApiKeyId,
    name: z.string(),
    scope: Scope,
    prefix: z.string().check(z.meta({ description: 'What the key starts with (tf_<keyId>), to recognise it; never its secret', example: 'tf_3f9a1c0d2b4e6f70' })),
    createdAt: isoTime,
    lastUsedAt: z.nullable(isoTime).check(z.meta({ description: 'Last authenticated request, to the minute (recorded at most once a minute per key)' })),
  })
  .check(z.meta({ id: 'ApiKeySummary' }));
export type ApiKeySummary = z.infer<typeof ApiKeySummary>;

export const ApiKeyList = z.object({ keys: z.array(ApiKeySummary) }).check(z.meta({ id: 'ApiKeyList' }));
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export const CreateApiKeyBody = z.strictObject({ name: text(1, 64).check(z.meta({ description: 'What the key is for, e.g. "billing service"' })), scope: Scope });
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const CreatedApiKey = z
  .object({
    keyId: ApiKeyId,
    key: z.string().check(z.meta({ description: 'The key, shown only in this answer: store it now (only its hash is kept)' })),
    name: z.string(),
    scope: Scope,
    createdAt: isoTime,
  })
  .check(z.meta({ id: 'CreatedApiKey' }));
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;
