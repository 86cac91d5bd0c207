// Is a URL our renderer's own page? Parsed, never compared as strings: the renderer routes
// by hash (#/projects/new), so its frame's URL carries a fragment, and may carry a query.
// Same scheme (file:), same host (none), same path: the same document.

export function isRendererDocument(url: string | null | undefined, rendererUrl: string): boolean {
  if (!url) return false;
  let actual: URL;
  try {
    actual = new URL(url);
  } catch {
    return false;
  }
  const expected = new URL(rendererUrl);
  return actual.protocol === 'file:' && actual.protocol === expected.protocol && actual.host === expected.host && actual.pathname === expected.pathname;
}
