// Lint: TypeScript's recommended rules, plus the architecture's hard rules — every file imports
// only what its package.json declares (eslint/declared-dependencies.js), and the core
// (packages/core) and the contract depend on nothing outside: no AWS SDK, no middy, no
// Powertools, no process.env, no wall clock, no Math.random.
import tseslint from 'typescript-eslint';
import { declaredDependencies } from './eslint/declared-dependencies.js';

const outward = {
  patterns: [
    { group: ['@aws-sdk/*', '@middy/*', '@aws-lambda-powertools/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'The core depends on ports, not on AWS, middy or Powertools.' },
    { group: ['@twofold/adapters', '@twofold/adapters/*', '@twofold/runtime', '@twofold/runtime/*', '@twofold/local', '@twofold/local/*'], message: 'Dependencies point inward: the core may not import outer layers.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.twofold/**', 'dist/**', '.bench/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { twofold: { rules: { 'declared-dependencies': declaredDependencies } } },
    rules: {
      'twofold/declared-dependencies': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['packages/core/**/*.ts', 'packages/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', outward],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Config is parsed once in packages/runtime.' },
        { object: 'Date', property: 'now', message: 'Use the Clock port.' },
        { object: 'Math', property: 'random', message: 'Use the Random port.' },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'The core does not touch the process.' }],
    },
  },
);
