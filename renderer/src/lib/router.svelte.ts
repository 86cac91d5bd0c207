// A tiny hash router on runes: `#/`, `#/projects/new`, `#/projects/<name>[/<tab>|/environments/<e>[/executions/<id>|/deployments/<d>]]`, `#/parameters`.
// The hash keeps browser back/forward working and needs nothing from the host.

import { parseHash, type Route } from './routes.js';

export { href, parseHash, PROJECT_TABS, type ProjectTab, type ProjectView, type Route } from './routes.js';

class Router {
  #hash = $state(typeof window === 'undefined' ? '' : window.location.hash);
  readonly route: Route = $derived(parseHash(this.#hash));
  /** Counts navigations after the first page, so views know when to move focus. */
  navigations = $state(0);
  /** The next hash change keeps the focus and scroll where they are (a tab chosen with the arrow keys). */
  #quiet: { hash: string; scrollY: number } | null = null;

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('hashchange', () => {
      this.#hash = window.location.hash;
      const quiet = this.#quiet;
      this.#quiet = null;
      if (quiet === null || quiet.hash !== window.location.hash) {
        this.navigations += 1;
        return;
      }
      // The shell moves focus to the page's heading on every route change: put it back
      // after that (a macrotask runs after the shell's microtasks).
      const focused = document.activeElement;
      setTimeout(() => {
        if (focused instanceof HTMLElement && focused.isConnected) focused.focus({ preventScroll: true });
        window.scrollTo(0, quiet.scrollY);
      }, 0);
    });
  }

  /** Goes to a hash route, adding a history entry (back returns). `keepFocus`: the focus stays put. */
  go(to: string, options: { keepFocus?: boolean } = {}): void {
    if (window.location.hash === to) return;
    this.#quiet = options.keepFocus ? { hash: to, scrollY: window.scrollY } : null;
    window.location.hash = to;
  }
}

export const router = new Router();
