// A tiny hash router on runes: `#/`, `#/projects/new`, `#/projects/<name>`, `#/parameters`.
// The hash keeps browser back/forward working and needs nothing from the host.

export type Route =
  | { name: 'home' }
  | { name: 'new-project' }
  | { name: 'project'; project: string }
  | { name: 'parameters' }
  | { name: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const path = raw.split('?')[0]!.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'home' };
  if (path === '/parameters') return { name: 'parameters' };
  if (path === '/projects/new') return { name: 'new-project' };
  const project = /^\/projects\/([^/]+)$/.exec(path);
  if (project) {
    try {
      return { name: 'project', project: decodeURIComponent(project[1]!) };
    } catch {
      return { name: 'not-found', path };
    }
  }
  return { name: 'not-found', path };
}

/** The href of a route, for `<a href>`: links stay real links (open, middle-click, keyboard). */
export const href = {
  home: () => '#/',
  newProject: () => '#/projects/new',
  project: (name: string) => `#/projects/${encodeURIComponent(name)}`,
  parameters: () => '#/parameters',
};

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
