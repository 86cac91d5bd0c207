// Where the window may go: it stays on our renderer (any hash route or query); links to the
// repository hosts' deploy-key pages and to the platform docs open in the system browser;
// everything else is refused. It never opens a second Electron window.
import { isRendererDocument } from './renderer-document.js';

/** Hosts whose https pages the app opens in the system browser (deploy-key settings, docs). */
export const SYSTEM_BROWSER_HOSTS: readonly string[] = ['github.com', 'gitlab.com', 'mlops-platform-documentation.craft.ai'];

/** https only, on an allowed host, default port, no credentials in the URL. */
export function opensInSystemBrowser(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.port === '' && parsed.username === '' && parsed.password === '' && SYSTEM_BROWSER_HOSTS.includes(parsed.hostname);
}

export type NavigationDecision = 'stay' | 'open-in-browser' | 'refuse';

/** For a navigation of any frame of our window (will-frame-navigate). */
export function decideNavigation(url: string, rendererUrl: string): NavigationDecision {
  if (isRendererDocument(url, rendererUrl)) return 'stay';
  return opensInSystemBrowser(url) ? 'open-in-browser' : 'refuse';
}

/** For window.open and target=_blank links: never a new Electron window. */
export function decideWindowOpen(url: string): Exclude<NavigationDecision, 'stay'> {
  return opensInSystemBrowser(url) ? 'open-in-browser' : 'refuse';
}
