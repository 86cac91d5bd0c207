// The hash routes of the app, as pure functions (the rune-based router lives in router.svelte.ts).

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
