// The query of the hash route (`#/projects/p/executions?env=staging&status=failed&sort=-created_at`):
// what a view's filters, sort and columns are, so Back (or a link) returns to the same view.
// Written with replaceState (a filter is not a step of history), read again on every hashchange.
// The URLSearchParams here are scratch values, never state: the hash string is the state.
/* eslint-disable svelte/prefer-svelte-reactivity */

/** The hash with its query changed: empty values removed, the path kept. */
export function withQuery(hash: string, patch: Record<string, string | null | undefined>): string {
  const raw = hash.replace(/^#/, '');
  const at = raw.indexOf('?');
  const path = at === -1 ? raw : raw.slice(0, at);
  const params = new URLSearchParams(at === -1 ? '' : raw.slice(at + 1));
  for (const [name, value] of Object.entries(patch)) {
    if (value === null || value === undefined || value === '') params.delete(name);
    else params.set(name, value);
  }
  const query = params.toString();
  return `#${path}${query ? `?${query}` : ''}`;
}

/** The query of a hash, as URLSearchParams. */
export function queryOf(hash: string): URLSearchParams {
  const at = hash.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : hash.slice(at + 1));
}

class HashQuery {
  #hash = $state(typeof window === 'undefined' ? '' : window.location.hash);

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('hashchange', () => (this.#hash = window.location.hash));
  }

  get(name: string): string | null {
    void this.#hash; // tracked; but read the address itself: a view mounted by the router's own
    // hashchange listener runs before this module's listener has seen the new hash.
    return typeof window === 'undefined' ? null : queryOf(window.location.hash).get(name);
  }

  /** Sets (or, with an empty value, removes) names in the current route's query, without a history step. */
  set(patch: Record<string, string | null | undefined>): void {
    const next = withQuery(window.location.hash, patch);
    if (next === window.location.hash || (next === '#' && !window.location.hash)) return;
    history.replaceState(history.state, '', next);
    this.#hash = next;
  }
}

export const hashQuery = new HashQuery();
