// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeOnly = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'better-sqlite3', 'kysely', 'keytar', 'ws'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'dist-electron/**',
      'release/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      '**/.data/**',
      'server/bin/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json', './server/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // shared/ is imported by the renderer, core and the server: it must run anywhere.
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeOnly, 'electron', 'react', 'react-dom', 'fastify', 'pg'],
              message: 'shared/ imports nothing from Node, Electron, the DOM, the renderer or the server.',
            },
            {
              group: ['**/renderer/**', '**/electron/**', '**/server/**'],
              message: 'shared/ must not depend on the apps that use it.',
            },
          ],
        },
      ],
    },
  },
  {
    // core is the same code in utilityProcess, the web host and unit tests.
    files: ['electron/core/**/*.ts', 'migrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // `paths`, not a pattern: a pattern would also match relative imports through the electron/ folder.
          paths: [{ name: 'electron', message: 'core never imports electron: it must run under plain Node.' }],
          patterns: [
            {
              group: ['**/renderer/**', '**/server/src/**', '**/electron/main/**', '**/electron/preload/**'],
              message: 'core talks to other processes only through the RPC contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeOnly, 'electron'],
              message: 'The renderer is sandboxed: reach core through the RPC client in renderer/src/lib/.',
            },
            {
              group: ['**/electron/**', '**/server/**'],
              message: 'The renderer reaches core only through the RPC client in renderer/src/lib/.',
            },
          ],
        },
      ],
    },
  },
);
