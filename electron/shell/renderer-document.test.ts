import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { isRendererDocument } from './renderer-document.js';

// Where installed apps keep the renderer: the AppImage/deb layout, with a space in the path.
const linuxRenderer = pathToFileURL('/opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/index.html').href;
const windowsRenderer = 'file:///C:/Program%20Files/Craft%20MLOps%20Desktop/resources/app.asar/dist/renderer/index.html';

describe('our renderer document', () => {
  it('is recognised on every hash route the renderer navigates to, with or without a query', () => {
    for (const suffix of ['', '#/', '#/projects/new', '#/parameters', '#/projects/churn-model/environments/prod/executions/e-1', '?x=1#/parameters', '#/projects/new?tab=keys']) {
      expect(isRendererDocument(`${linuxRenderer}${suffix}`, linuxRenderer), suffix).toBe(true);
    }
    expect(isRendererDocument(`${windowsRenderer}#/parameters`, windowsRenderer)).toBe(true);
  });

  it('is the same file however the URL spells it (spaces, localhost, dot segments)', () => {
    expect(isRendererDocument('file:///opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/index.html#/', linuxRenderer)).toBe(true);
    expect(isRendererDocument('file://localhost/opt/Craft%20MLOps%20Desktop/resources/app.asar/dist/renderer/index.html', linuxRenderer)).toBe(true);
    expect(isRendererDocument('file:///opt/Craft%20MLOps%20Desktop/resources/app.asar/dist/x/../renderer/index.html#/', linuxRenderer)).toBe(true);
  });

  it('is not another page: another file beside it, another host, another scheme, a blank or error page', () => {
    for (const url of [
      pathToFileURL('/opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/other.html').href,
      pathToFileURL('/opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/index.html.evil').href,
      pathToFileURL('/tmp/index.html').href,
      'file://fileserver/opt/Craft%20MLOps%20Desktop/resources/app.asar/dist/renderer/index.html',
      'https://github.com/opt/Craft%20MLOps%20Desktop/resources/app.asar/dist/renderer/index.html',
      'http://127.0.0.1:5173/#/projects/new',
      'about:blank',
      'devtools://devtools/bundled/devtools_app.html',
      'chrome-error://chromewebdata/',
      'not a url',
      '',
      undefined,
      null,
    ]) {
      expect(isRendererDocument(url, linuxRenderer), String(url)).toBe(false);
    }
  });
});
