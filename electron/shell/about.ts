// Help → About: what a bug report needs: the app's version, the Electron, Chromium and Node
// versions it runs on, and where it keeps its data. Copy puts the same text on the clipboard.
import type { MessageBoxOptions } from 'electron';

export interface AboutFacts {
  appName: string;
  appVersion: string;
  versions: { electron?: string | undefined; chrome?: string | undefined; node: string };
  dataDir: string;
  platform: NodeJS.Platform;
  arch: string;
}

export const ABOUT_COPY_BUTTON = 1;

export function aboutDialog(facts: AboutFacts): MessageBoxOptions & { detail: string } {
  const detail = [
    `Version: ${facts.appVersion}`,
    `Electron: ${facts.versions.electron ?? 'unknown'}`,
    `Chromium: ${facts.versions.chrome ?? 'unknown'}`,
    `Node.js: ${facts.versions.node}`,
    `OS: ${facts.platform} ${facts.arch}`,
    `Data folder: ${facts.dataDir}`,
  ].join('\n');
  return { type: 'info', title: `About ${facts.appName}`, message: facts.appName, detail, buttons: ['OK', 'Copy'], defaultId: 0, cancelId: 0, noLink: true };
}
