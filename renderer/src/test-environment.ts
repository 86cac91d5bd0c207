// The renderer's unit tests run in Node, with their modules transformed as for the page
// (Vite's client environment): `.svelte.ts` runes compile for the browser and `svelte`
// resolves to its client runtime, so $effect and $derived behave as they do in the app.
import type { Environment } from 'vitest/environments';

const environment: Environment = {
  name: 'svelte-client',
  viteEnvironment: 'client',
  setup: () => ({ teardown: () => {} }),
};

export default environment;
