import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Globals of Node.js scripts (.mjs/.js); the type-aware rules cover the .ts files.
const NODE_GLOBALS = Object.fromEntries(
  [
    'process', 'console', 'require', '__dirname', '__filename', 'URL', 'URLSearchParams', 'Buffer', 'setTimeout', 'clearTimeout',
    'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'fetch', 'performance', 'TextDecoder',
    'TextEncoder', 'AbortController', 'AbortSignal', 'structuredClone', 'globalThis',
  ].map((name) => [name, 'readonly']),
);
NODE_GLOBALS.module = 'writable';

export default tseslint.config(
  { ignores: ['**/out/**', 'node_modules/**', '.e2e-cache/**', 'test/fixtures/**', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.json', './test/tsconfig.json', './test/e2e/vscode/tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always'],
      // node:test's test()/describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['vscode', 'vscode-*', 'node:*', 'fs', 'path', 'child_process', 'os'], message: 'server/src/core is pure: it imports only yaml and itself.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: NODE_GLOBALS },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
