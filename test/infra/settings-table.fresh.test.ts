/**
 * The settings tables of docs/operations.md (the deployment's settings and the functions'
 * environment) are what infra/settings-table.ts makes from the schemas today: a default or a
 * meaning changed in infra/settings.ts or packages/runtime/src/config.ts without the doc fails
 * here. UPDATE_SETTINGS_TABLE=1 rewrites the tables in the doc.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS_DOC, settingsTables, withSettingsTables } from '../../infra/settings-table';

describe('the settings tables of the docs', () => {
  it('are up to date with the schemas (else: UPDATE_SETTINGS_TABLE=1 npx vitest run test/infra/settings-table.fresh.test.ts)', () => {
    const generated = withSettingsTables(readFileSync(SETTINGS_DOC, 'utf8'));
    if (process.env.UPDATE_SETTINGS_TABLE === '1') writeFileSync(SETTINGS_DOC, generated);
    expect(readFileSync(SETTINGS_DOC, 'utf8'), `${SETTINGS_DOC} is stale: run with UPDATE_SETTINGS_TABLE=1`).toBe(generated);
  });

  it('give every setting a meaning and show each default', () => {
    for (const [name, table] of Object.entries(settingsTables())) {
      const rows = table.split('\n').slice(2);
      expect(rows.length, name).toBeGreaterThan(10);
      for (const row of rows) expect(row, `${name}: a setting without a description in its schema`).not.toMatch(/\| $|\|\s*\|$/);
    }
    expect(settingsTables()['function-environment']).toContain('| `TWOFOLD_API_KEY_CACHE_SECONDS` | `60` |');
    expect(settingsTables()['deploy-settings']).toContain('| `tenantRequestsPerSecond` | `1000` |');
  });
});
