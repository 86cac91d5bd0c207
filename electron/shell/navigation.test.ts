import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { deployKeySettingsUrl } from '../../domain/rules.js';
import { decideNavigation, decideWindowOpen, opensInSystemBrowser } from './navigation.js';

const renderer = pathToFileURL('/opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/index.html').href;

describe('where the window may go', () => {
  it('stays on our renderer, whatever its route or query', () => {
    expect(decideNavigation(`${renderer}#/projects/new`, renderer)).toBe('stay');
    expect(decideNavigation(`${renderer}?reload=1#/parameters`, renderer)).toBe('stay');
  });

  it('sends the deploy-key settings pages the app links to, and the docs, to the system browser', () => {
    const github = deployKeySettingsUrl('git@github.com:acme/churn-model.git');
    const gitlab = deployKeySettingsUrl('git@gitlab.com:acme/ml/churn-model.git');
    expect(github).toBe('https://github.com/acme/churn-model/settings/keys');
    expect(gitlab).toMatch(/^https:\/\/gitlab\.com\//);
    for (const url of [github!, gitlab!, 'https://mlops-platform-documentation.craft.ai/sdk']) {
      expect(decideNavigation(url, renderer), url).toBe('open-in-browser');
      expect(decideWindowOpen(url), url).toBe('open-in-browser');
    }
  });

  it('refuses everything else: plain http, look-alike hosts, credentials, other ports and schemes, other local files', () => {
    for (const url of [
      'http://github.com/acme/churn-model/settings/keys',
      'https://github.com.evil.example/acme',
      'https://evil.example/github.com/',
      'https://github.com@evil.example/',
      'https://user:pass@github.com/acme',
      'https://github.com:8443/acme',
      'https://api.github.com/repos',
      'javascript:alert(1)',
      'file:///etc/passwd',
      pathToFileURL('/opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/other.html').href,
      'smb://fileserver/share',
      'ms-settings:privacy',
      'not a url',
    ]) {
      expect(decideNavigation(url, renderer), url).toBe('refuse');
      expect(opensInSystemBrowser(url), url).toBe(false);
    }
  });

  it('never opens a second app window, not even on our own page', () => {
    expect(decideWindowOpen(`${renderer}#/parameters`)).toBe('refuse');
  });
});
