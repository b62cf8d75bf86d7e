// @ts-check
import tseslint from 'typescript-eslint';

/** Modules that do I/O or read the clock: the pure core (domain, parse, analyze, render) may import none. */
const ioModules = ['ssh2', '@kubernetes/client-node', '@slack/*', 'bullmq', 'ioredis', 'node:child_process', 'child_process', 'node:fs', 'fs', 'node:fs/promises', 'node:net', 'ws', 'pino'];

export default tseslint.config(
  // wasm/ is AssemblyScript (scripts/build-wasm.mjs compiles it), not TypeScript.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'wasm/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/parse/**/*.ts', 'src/analyze/**/*.ts', 'src/render/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ioModules.map((group) => ({ group: [group], message: 'The core is pure: I/O belongs in collect/, slack/, queue/, cli/ or jobs/.' })) }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Time comes in as an argument.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Time comes in as an argument.' }, { object: 'process', property: 'env', message: 'Config comes in as an argument.' }],
    },
  },
);
