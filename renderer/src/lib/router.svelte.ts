// A tiny hash router on runes: `#/`, `#/projects/new`, `#/projects/<name>`, `#/parameters`.
// The hash keeps browser back/forward working and needs nothing from the host.

import { parseHash, type Route } from './routes.js';

export { href, parseHash, type Route } from './routes.js';

class Router {
  #hash = $state(typeof window === 'undefined' ? '' : window.location.hash);
  readonly route: Route = $derived(parseHash(this.#hash));
  /** Counts navigations after the first page, so views know when to move focus. */
  navigations = $state(0);

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('hashchange', () => {
      this.#hash = window.location.hash;
      this.navigations += 1;
    });
  }

  /** Goes to a hash route, adding a history entry (back returns). */
  go(to: string): void {
    if (window.location.hash === to) return;
    window.location.hash = to;
  }
}

export const router = new Router();
