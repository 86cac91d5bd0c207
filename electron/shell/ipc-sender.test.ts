import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { mayCallDesktop } from './ipc-sender.js';

const renderer = pathToFileURL('/opt/Craft MLOps Desktop/resources/app.asar/dist/renderer/index.html').href;
const mainFrame = (url: string) => ({ fromOurWindow: true, frame: { url, isMainFrame: true } });

describe('who may call the desktop API', () => {
  it("answers our window's main frame on the Homepage, New project and Parameters (the hash the frame's URL carries)", () => {
    expect(mayCallDesktop(mainFrame(renderer), renderer)).toBe(true);
    expect(mayCallDesktop(mainFrame(`${renderer}#/`), renderer)).toBe(true);
    expect(mayCallDesktop(mainFrame(`${renderer}#/projects/new`), renderer)).toBe(true);
    expect(mayCallDesktop(mainFrame(`${renderer}#/parameters`), renderer)).toBe(true);
  });

  it('refuses a subframe of our window, even one showing our own page', () => {
    expect(mayCallDesktop({ fromOurWindow: true, frame: { url: `${renderer}#/parameters`, isMainFrame: false } }, renderer)).toBe(false);
  });

  it('refuses another WebContents (a popup, devtools, a webview), even at our URL', () => {
    expect(mayCallDesktop({ fromOurWindow: false, frame: { url: `${renderer}#/`, isMainFrame: true } }, renderer)).toBe(false);
  });

  it('refuses our main frame once it shows another page, and a frame that has gone', () => {
    expect(mayCallDesktop(mainFrame('https://github.com/acme/churn/settings/keys'), renderer)).toBe(false);
    expect(mayCallDesktop(mainFrame(pathToFileURL('/tmp/evil.html').href), renderer)).toBe(false);
    expect(mayCallDesktop(mainFrame('about:blank'), renderer)).toBe(false);
    expect(mayCallDesktop({ fromOurWindow: true, frame: null }, renderer)).toBe(false);
  });
});
