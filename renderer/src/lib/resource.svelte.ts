// One way to load: `resource(load)` runs `load` at once, and again on `reload()`, when the
// session changes (a switch, a sign-in or -out) and when its `key` changes. It keeps what a
// view shows — the value, the error as an AppError, whether a load is running — in runes, and
// only the latest load may write them: an answer that comes after a later load started is
// dropped. Create it while a component initialises (like $effect): it ends with its component.
// `live: true`: it follows the platform's change feed too (lib/change-feed), loading again,
// the value kept, whenever the platform says something changed; `updatedAt` says when.
import { untrack } from 'svelte';
import type { AppError } from '../../../domain/errors.js';
import { app } from './app-state.svelte.js';
import { changeFeed, type ChangeFeed } from './change-feed.svelte.js';
import { toAppError } from './runtime.js';

export interface LoadContext<T> {
  /** Aborted when a later load starts or the component goes away. */
  readonly signal: AbortSignal;
  /** Shows a value before the load ends (what the cache holds while the platform is asked). */
  show(value: T): void;
}

export interface ResourceOptions {
  /** The load's reactive inputs: when what this returns changes (compared as JSON), it loads again. */
  key?: () => unknown;
  /** Load again when the session changes (app.sessionEpoch). Default true. */
  session?: boolean;
  /** Keep showing the last value while loading again (default), rather than nothing. */
  keep?: boolean;
  /** Load again when the platform's change cursor moves (polled while the window is visible). Default false. */
  live?: boolean;
  /** The feed a live resource follows (the window's one by default). */
  feed?: ChangeFeed;
}

export interface Resource<T> {
  /** The latest value loaded, shown or set; undefined until the first answer. */
  value: T | undefined;
  /** Why the latest load failed; null while loading and after a success. */
  readonly error: AppError | null;
  /** True while a load runs (from the start, since the first one starts at once). */
  readonly loading: boolean;
  /** When the latest load succeeded (epoch ms; null before the first answer): "updated 3 s ago". */
  readonly updatedAt: number | null;
  /** Loads again (a "Try again" button's handler as it is); resolves when that load is over. */
  readonly reload: () => Promise<void>;
}

export function resource<T>(load: (context: LoadContext<T>) => Promise<T>, options: ResourceOptions = {}): Resource<T> {
  const { key, session = true, keep = true, live = false, feed = changeFeed } = options;
  let value = $state.raw<T | undefined>(undefined);
  let error = $state.raw<AppError | null>(null);
  let loading = $state(true);
  let updatedAt = $state<number | null>(null);
  let latest = 0;
  let controller: AbortController | undefined;

  async function reload(): Promise<void> {
    const run = ++latest;
    const current = () => run === latest;
    controller?.abort();
    const own = (controller = new AbortController());
    loading = true;
    error = null;
    if (!keep) value = undefined;
    try {
      const show = (shown: T) => {
        if (current()) value = shown;
      };
      const result = await untrack(() => load({ signal: own.signal, show }));
      if (current()) {
        value = result;
        updatedAt = Date.now();
      }
    } catch (err) {
      if (current()) error = toAppError(err);
    } finally {
      if (current()) loading = false;
    }
  }

  const inputs = $derived(JSON.stringify([key?.() ?? null, session ? app.sessionEpoch : 0, live ? feed.epoch : 0]));
  let loadedFor = untrack(() => inputs);
  $effect(() => {
    if (inputs === loadedFor) return;
    loadedFor = inputs;
    void reload();
  });
  if (live) $effect(() => feed.follow());
  $effect(() => () => {
    latest += 1; // the component is gone: answers still on their way are dropped
    controller?.abort();
  });
  void reload();

  return {
    get value() {
      return value;
    },
    set value(next) {
      value = next;
    },
    get error() {
      return error;
    },
    get loading() {
      return loading;
    },
    get updatedAt() {
      return updatedAt;
    },
    reload,
  };
}
