import { describe, expect, it } from 'vitest';
import { PROJECT_TABS, href, parseHash } from './routes.js';

describe('hash routes', () => {
  it('parses every route, with or without trailing slash or query', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/parameters/')).toEqual({ name: 'parameters' });
    expect(parseHash('#/projects/new')).toEqual({ name: 'new-project' });
    expect(parseHash('#/projects/churn-model?tab=settings')).toEqual({ name: 'project', project: 'churn-model', view: { kind: 'tab', tab: 'environments' } });
    expect(parseHash('#/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' });
    expect(parseHash('#/projects/%E0%A4%A')).toEqual({ name: 'not-found', path: '/projects/%E0%A4%A' });
  });

  it('parses the tabs and the pages inside a project', () => {
    expect(parseHash('#/projects/churn/members/')).toEqual({ name: 'project', project: 'churn', view: { kind: 'tab', tab: 'members' } });
    expect(parseHash('#/projects/churn/environments/production')).toEqual({ name: 'project', project: 'churn', view: { kind: 'environment', environment: 'production' } });
    expect(parseHash('#/projects/churn/environments/production/executions/train-01')).toEqual({
      name: 'project',
      project: 'churn',
      view: { kind: 'execution', environment: 'production', execution: 'train-01' },
    });
    expect(parseHash('#/projects/churn/environments/production/deployments/nightly')).toEqual({
      name: 'project',
      project: 'churn',
      view: { kind: 'deployment', environment: 'production', deployment: 'nightly' },
    });
    expect(parseHash('#/projects/churn/nope')).toEqual({ name: 'not-found', path: '/projects/churn/nope' });
    expect(parseHash('#/projects/churn/environments/production/other/x')).toEqual({ name: 'not-found', path: '/projects/churn/environments/production/other/x' });
  });

  it('builds hrefs that parse back', () => {
    expect(parseHash(href.project('a b'))).toEqual({ name: 'project', project: 'a b', view: { kind: 'tab', tab: 'environments' } });
    for (const tab of PROJECT_TABS) expect(parseHash(href.projectTab('p', tab))).toEqual({ name: 'project', project: 'p', view: { kind: 'tab', tab } });
    expect(parseHash(href.environment('p', 'prod/1'))).toEqual({ name: 'project', project: 'p', view: { kind: 'environment', environment: 'prod/1' } });
    expect(parseHash(href.execution('p', 'e', 'a/b c'))).toEqual({ name: 'project', project: 'p', view: { kind: 'execution', environment: 'e', execution: 'a/b c' } });
    expect(parseHash(href.deployment('p', 'e', 'd'))).toEqual({ name: 'project', project: 'p', view: { kind: 'deployment', environment: 'e', deployment: 'd' } });
    expect(parseHash(href.newProject())).toEqual({ name: 'new-project' });
    expect(parseHash(href.parameters())).toEqual({ name: 'parameters' });
  });
});

describe('the query of a hash route (a view kept in the URL)', () => {
  it('sets and removes names, keeping the path, and the route still parses', async () => {
    const { withQuery, queryOf } = await import('./hash-query.svelte.js');
    const hash = withQuery('#/projects/p/executions', { env: 'staging', status: 'failed', q: '' });
    expect(hash).toBe('#/projects/p/executions?env=staging&status=failed');
    expect(withQuery(hash, { status: null, sort: '-created_at' })).toBe('#/projects/p/executions?env=staging&sort=-created_at');
    expect(queryOf(withQuery(hash, { q: 'a b&c' })).get('q')).toBe('a b&c');
    expect(parseHash(hash)).toEqual({ name: 'project', project: 'p', view: { kind: 'tab', tab: 'executions' } });
  });
});
