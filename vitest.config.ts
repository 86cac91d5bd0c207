import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  test: {
    exclude: ['node_modules', 'dist', 'tests/e2e'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at once even on two cores (Vitest's default there is one): most suites wait on servers,
    // processes and PostgreSQL rather than compute.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['domain/**/*.test.ts', 'common/**/*.test.ts', 'platform/**/*.test.ts', 'electron/**/*.test.ts', 'cli/**/*.test.ts', 'scripts/**/*.test.ts'] },
      },
      {
        // The renderer's tests: `.svelte.ts` modules compiled with their runes, for the client.
        extends: true,
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: { name: 'renderer', include: ['renderer/src/**/*.test.ts'], environment: './renderer/src/test-environment.ts' },
      },
    ],
  },
});
