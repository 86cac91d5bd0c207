// Lint: typescript-eslint and eslint-plugin-svelte, plus the rooms' walls of DESIGN.md as import rules.
import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const TESTS = ['**/*.test.ts', '**/testing/**', '**/test-helpers.ts', 'tests/**', 'bench/**'];

/** A wall: in `files` (tests aside), these imports are refused with the reason. */
function wall(files, patterns, message, options = {}) {
  return {
    files,
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: patterns.map((pattern) => ({ ...(pattern.startsWith('^') ? { regex: pattern } : { group: [pattern] }), message, ...options })) }] },
  };
}

/** Platform paths are written once, in the platform contract (domain/platform-contract.ts). */
const NO_PLATFORM_PATHS = {
  files: ['electron/**/*.ts', 'cli/**/*.ts', 'renderer/**/*.{ts,svelte}'],
  ignores: TESTS,
  rules: {
    'no-restricted-syntax': [
      'error',
      ...['Literal', 'TemplateElement'].map((node) => ({
        selector: `${node}[${node === 'Literal' ? 'value' : 'value.raw'}=/\\/api\\/v1/]`,
        message: 'A platform path belongs in the platform contract (domain/platform-contract.ts): call it through the typed client.',
      })),
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-electron/', 'release/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      // Kysely's untyped migration builders and a few JSON readers are typed `any` on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'off',
      // {' '} keeps a space that the markup would drop: not useless.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,svelte}', '**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { projectService: false, extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig } },
  },

  // ——— the rooms' walls ———
  wall(['domain/**'], ['^(?!zod$|\\./)'], 'domain/ is pure: it imports zod and its own files only.'),
  wall(['common/**'], ['^(?!node:|\\./|\\.\\./domain/|ssh2$)'], 'common/ holds plain Node helpers shared by the platform, the desktop and craft: Node built-ins, domain/, ssh2 (the repository access test) and its own files only.'),
  wall(['platform/**'], ['^electron$', '**/electron/**', '**/cli/**', '**/renderer/**'], 'The platform must not know the desktop: it imports domain/ and its own files only.'),
  wall(['electron/services/**'], ['^electron$', '**/renderer/**', '**/cli/**', '**/platform/**'], 'Services run under plain Node (never Electron) and reach the platform through the typed client only.'),
  wall(['renderer/**'], ['^node:', '^(electron|better-sqlite3|keytar|node-forge|ssh2|fastify|kysely|pg)$', '**/electron/**', '**/platform/**', '**/cli/**'], 'The renderer talks to the host through lib/runtime.ts only: it imports domain/, svelte and its own files.'),
  wall(['cli/**'], ['^electron$', '**/electron/main/**', '**/electron/preload/**', '**/renderer/**', '**/platform/**'], 'craft uses the services and the typed client; it never loads Electron, the renderer or the platform.'),
  wall(['platform/db/migrations.ts'], ['^(?!kysely$)'], 'A migration never calls live application code: write what it needs inside it (type imports are fine).', { allowTypeImports: true }),
  NO_PLATFORM_PATHS,
);
