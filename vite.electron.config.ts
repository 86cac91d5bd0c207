import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

// The Electron main process and its preload, bundled to CommonJS in dist-electron/.
// Runtime dependencies stay external (native modules are rebuilt for Electron's ABI by
// electron-builder at packaging); the preload is self-contained, as a sandboxed preload must be.
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
const external = ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...Object.keys(pkg.dependencies)];

export default defineConfig({
  build: {
    outDir: 'dist-electron',
    emptyOutDir: true,
    ssr: true,
    target: 'node20',
    sourcemap: true,
    rollupOptions: {
      input: {
        main: 'electron/main/index.ts',
        preload: 'electron/preload/index.ts',
        // The craft command, run by the app's own runtime (ELECTRON_RUN_AS_NODE) from the PATH launcher.
        craft: 'cli/main.ts',
      },
      external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
      output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
    },
  },
});
