/**
 * The shape of the packages: no import circles, type imports included (a circle of types still
 * ties files that should be read one at a time), and the declared-dependencies lint rule that
 * keeps each package's imports to what its package.json says.
 */
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { declaredDependencies } from '../../eslint/declared-dependencies.js';
import { cyclesOf, edgesOf, resolveInWorkspace, sources } from '../support/import-graph';

describe('the packages’ imports', () => {
  it('form no circle, of values or of types', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(150);
    expect(cyclesOf(edgesOf(files))).toEqual([]);
  });

  it('are read whole: type imports, re-exports and workspace imports are edges', () => {
    const edges = edgesOf(sources());
    // a type-only import (route-definition takes only types from errors.ts)
    expect(edges.get('packages/contract/src/route-definition.ts')).toContain('packages/contract/src/errors.ts');
    // a re-export, and a workspace import through the package's exports
    expect(edges.get('packages/core/src/events.ts')).toContain('packages/core/src/events/event-publishing.ts');
    expect(resolveInWorkspace('packages/adapters/src/aws/eventbridge-publisher.ts', '@twofold/core/events')).toBe('packages/core/src/events.ts');
    expect(resolveInWorkspace('packages/runtime/src/parts.ts', '@twofold/core')).toBe('packages/core/src/index.ts');
  });

  it('finds a circle when there is one', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cyclesOf(edges)).toEqual([['a', 'b', 'c'], ['e']]);
  });
});

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

describe('the declared-dependencies lint rule', () => {
  const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' } });
  tester.run('declared-dependencies', declaredDependencies, {
    valid: [
      { filename: 'packages/core/src/x.ts', code: "import { totp } from '@otplib/totp'; import type { A } from '@twofold/contract/events'; import { x } from './y';" },
      { filename: 'packages/runtime/src/x.ts', code: "import { createHash } from 'node:crypto'; import type { Handler } from 'aws-lambda';" },
      { filename: 'test/x.test.ts', code: "import { startLocal } from '@twofold/local';" },
    ],
    invalid: [
      { filename: 'packages/core/src/x.ts', code: "import { Hono } from 'hono';", errors: [{ message: /'hono' is not declared in packages\/core\/package.json/ }] },
      { filename: 'packages/core/src/x.ts', code: "export * from '@twofold/runtime';", errors: 1 },
      { filename: 'packages/contract/src/x.ts', code: "const m = await import('@aws-sdk/client-kms');", errors: 1 },
    ],
  });
});
