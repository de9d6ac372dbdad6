import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'packages/*/dist/',
      'packages/*/docs/api/',
      '.tools/',
      '.data/',
      'node_modules/',
      '**/generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Workflow code (and the saga engine it runs) is in Temporal's deterministic sandbox: no I/O. (Date and Math.random are the SDK's
    // deterministic replacements there.)
    files: ['workflows/**/*.ts', 'packages/saga/**/*.ts'],
    // The engine's Node.js-only entries (the worker's bulkheads, the testing kit) and the example's tests.
    ignores: [
      'packages/saga/worker.ts',
      'packages/saga/src/node/**',
      'packages/saga/testing/**',
      'packages/saga/**/*.test.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows import activity types only.',
            },
            {
              group: ['node:*', 'fs', 'http', 'https', 'net', 'crypto', '**/lib/logger'],
              message: 'No I/O in workflow code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Scripts, tests and benchmarks are command-line programs: printing is their job.
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
