/**
 * The zod schemas of every request and response: the single source for the TypeScript types
 * (z.infer), the handlers' validation, the OpenAPI document and any client.
 * Field names and shapes follow shared/API.md, the contract client apps rely on.
 *
 * Written with zod/mini, zod 4's functional API: the same validation, messages and JSON Schema
 * as the chained API, in a fraction of the bundle every function carries (`.check(z.meta(…))`
 * registers what `.meta(…)` would). One module per resource, named here.
 */
export * from './schemas/common';
export * from './schemas/webauthn';
export * from './schemas/messages';
export * from './schemas/policy';
export * from './schemas/users';
export * from './schemas/challenges';
export * from './schemas/verification';
export * from './schemas/devices';
export * from './schemas/admin';
export * from './schemas/api-keys';
export * from './schemas/service';
export * from './schemas/imports';
export * from './schemas/prompts';
