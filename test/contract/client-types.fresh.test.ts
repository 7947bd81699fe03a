/**
 * The client's committed types (packages/client/src/api-types.ts) are what openapi-typescript
 * makes from the contract's document today: a schema or route changed without
 * `npm run generate -w @twofold/client` fails here, before a client ships stale types.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateTypes, typesFile } from '../../packages/client/scripts/generate-types';

describe('@twofold/client types', () => {
  it('are up to date with the OpenAPI document (else: npm run generate -w @twofold/client)', async () => {
    const committed = readFileSync(typesFile, 'utf8');
    const generated = await generateTypes();
    expect(committed === generated, 'packages/client/src/api-types.ts is stale: run npm run generate -w @twofold/client').toBe(true);
  }, 30_000);

  it('have an operation for every JSON route of the contract, and none for the pages (docs, console)', async () => {
    const { routes } = await import('@twofold/contract');
    const committed = readFileSync(typesFile, 'utf8');
    for (const r of routes as readonly { operationId: string; content?: string }[]) {
      if (r.content) expect(committed, r.operationId).not.toContain(`    ${r.operationId}: {`);
      else expect(committed, r.operationId).toContain(`    ${r.operationId}: {`);
    }
  });
});
