import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { RENDERER_CSP } from './electron/content-security-policy.js';

// The renderer: built once, loaded by Electron from file:// or served by browser mode.
// Electron's file:// pages get no response headers, so the CSP travels in the page too
// (without frame-ancestors, which only a header can carry).
const metaCsp = RENDERER_CSP.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [
    svelte(),
    {
      name: 'craft-content-security-policy',
      apply: 'build',
      transformIndexHtml: (html) => html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${metaCsp}" />`),
    },
  ],
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true },
});
