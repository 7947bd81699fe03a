import type { Rule } from 'eslint';

/** The bare package a specifier names (`@scope/name/sub` → `@scope/name`), or undefined for a relative path or a Node built-in. */
export function packageOf(specifier: string): string | undefined;
export const declaredDependencies: Rule.RuleModule;
