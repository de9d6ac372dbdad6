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
    // Workflow modules are preloaded (lib/workflow-bundle.ts): a worker evaluates them once and every workflow it
    // runs shares them, so module-level state would leak from one saga into the next. Exports are frozen; these
    // catch the state freezing cannot (a variable, a collection, a static field).
    files: [
      'workflows/**/*.ts',
      'packages/saga/index.ts',
      'packages/saga/src/*.ts',
      'bench/workflows/**/*.ts',
      'test/workflows/**/*.ts',
      'lib/business-errors.ts',
      'lib/operation-query.ts',
      'lib/search-attributes.ts',
      'lib/task-queues.ts',
      'lib/codec/failure-converter.ts',
      'lib/codec/plaintext-refused.ts',
      'lib/codec/refuse-plaintext-interceptor.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          "VariableDeclaration[kind!='const']",
          'VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet|Array)$/]',
          'VariableDeclaration > VariableDeclarator > ArrayExpression[elements.length=0]',
          'VariableDeclaration > VariableDeclarator > ObjectExpression[properties.length=0]',
        ].map((declaration) => ({
          selector: `:matches(Program, Program > ExportNamedDeclaration) > ${declaration}`,
          message: 'Workflow modules are shared by every workflow of a worker: keep per-workflow state in functions.',
        })),
        {
          selector: 'PropertyDefinition[static=true]',
          message: 'Workflow modules are shared by every workflow of a worker: no static fields.',
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
