// The hash routes of the app, as pure functions (the rune-based router lives in router.svelte.ts).

export const PROJECT_TABS = ['environments', 'executions', 'deployments', 'members', 'settings', 'history'] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number];

/** What a project's page shows: one of its tabs, or a page inside it. */
export type ProjectView =
  | { kind: 'tab'; tab: ProjectTab }
  | { kind: 'environment'; environment: string }
  | { kind: 'execution'; environment: string; execution: string }
  | { kind: 'deployment'; environment: string; deployment: string };

export type Route =
  | { name: 'home' }
  | { name: 'new-project' }
  | { name: 'project'; project: string; view: ProjectView }
  | { name: 'parameters' }
  | { name: 'not-found'; path: string };

function isTab(value: string): value is ProjectTab {
  return (PROJECT_TABS as readonly string[]).includes(value);
}

function projectView(parts: string[]): ProjectView | null {
  if (parts.length === 0) return { kind: 'tab', tab: 'environments' };
  if (parts.length === 1) return isTab(parts[0]!) ? { kind: 'tab', tab: parts[0] } : null;
  if (parts[0] !== 'environments') return null;
  const environment = parts[1]!;
  if (parts.length === 2) return { kind: 'environment', environment };
  if (parts.length === 4 && parts[2] === 'executions') return { kind: 'execution', environment, execution: parts[3]! };
  if (parts.length === 4 && parts[2] === 'deployments') return { kind: 'deployment', environment, deployment: parts[3]! };
  return null;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const path = raw.split('?')[0]!.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'home' };
  if (path === '/parameters') return { name: 'parameters' };
  if (path === '/projects/new') return { name: 'new-project' };
  const match = /^\/projects\/([^/]+)((?:\/[^/]+)*)$/.exec(path);
  if (match) {
    try {
      const project = decodeURIComponent(match[1]!);
      const parts = match[2]!.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
      const view = projectView(parts);
      if (view) return { name: 'project', project, view };
    } catch {
      return { name: 'not-found', path };
    }
  }
  return { name: 'not-found', path };
}

const enc = encodeURIComponent;

/** The href of a route, for `<a href>`: links stay real links (open, middle-click, keyboard). */
export const href = {
  home: () => '#/',
  newProject: () => '#/projects/new',
  project: (name: string) => `#/projects/${enc(name)}`,
  projectTab: (name: string, tab: ProjectTab) => (tab === 'environments' ? `#/projects/${enc(name)}` : `#/projects/${enc(name)}/${tab}`),
  environment: (project: string, environment: string) => `#/projects/${enc(project)}/environments/${enc(environment)}`,
  execution: (project: string, environment: string, execution: string) =>
    `#/projects/${enc(project)}/environments/${enc(environment)}/executions/${enc(execution)}`,
  deployment: (project: string, environment: string, deployment: string) =>
    `#/projects/${enc(project)}/environments/${enc(environment)}/deployments/${enc(deployment)}`,
  parameters: () => '#/parameters',
};
