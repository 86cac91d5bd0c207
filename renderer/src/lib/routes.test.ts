import { describe, expect, it } from 'vitest';
import { href, parseHash } from './routes.js';

describe('hash routes', () => {
  it('parses every route, with or without trailing slash or query', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/parameters/')).toEqual({ name: 'parameters' });
    expect(parseHash('#/projects/new')).toEqual({ name: 'new-project' });
    expect(parseHash('#/projects/churn-model?tab=settings')).toEqual({ name: 'project', project: 'churn-model' });
    expect(parseHash('#/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' });
    expect(parseHash('#/projects/%E0%A4%A')).toEqual({ name: 'not-found', path: '/projects/%E0%A4%A' });
  });

  it('builds hrefs that parse back', () => {
    expect(parseHash(href.project('a b'))).toEqual({ name: 'project', project: 'a b' });
    expect(parseHash(href.newProject())).toEqual({ name: 'new-project' });
    expect(parseHash(href.parameters())).toEqual({ name: 'parameters' });
  });
});
