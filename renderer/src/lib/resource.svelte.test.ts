import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../domain/errors.js';
import { app } from './app-state.svelte.js';
import { resource, type LoadContext, type Resource, type ResourceOptions } from './resource.svelte.js';

/** A promise settled from outside, one per load. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A loader whose every call waits for the test to answer it. */
function loader<T>() {
  const calls: { context: LoadContext<T>; answer: ReturnType<typeof deferred<T>> }[] = [];
  const load = (context: LoadContext<T>) => {
    const answer = deferred<T>();
    calls.push({ context, answer });
    return answer.promise;
  };
  return { load, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

/** Creates the resource inside an effect root, as a component's initialisation would. */
function owned<T>(load: (context: LoadContext<T>) => Promise<T>, options?: ResourceOptions): { r: Resource<T>; destroy: () => void } {
  let r!: Resource<T>;
  const destroy = $effect.root(() => {
    r = resource(load, options);
  });
  flushSync();
  cleanups.push(destroy);
  return { r, destroy };
}

describe('resource()', () => {
  it('loads at once: loading, then the value', async () => {
    const { load, calls } = loader<string[]>();
    const { r } = owned(load);
    expect(calls).toHaveLength(1);
    expect(r.loading).toBe(true);
    expect(r.value).toBeUndefined();
    calls[0]!.answer.resolve(['a', 'b']);
    await settle();
    expect(r.loading).toBe(false);
    expect(r.value).toEqual(['a', 'b']);
    expect(r.error).toBeNull();
  });

  it('turns any failure into an AppError, keeping its code, message and field', async () => {
    const { load, calls } = loader<number>();
    const { r } = owned(load);
    calls[0]!.answer.reject(new AppError('validation', 'name: is taken', 'name'));
    await settle();
    expect(r.loading).toBe(false);
    expect(r.error).toBeInstanceOf(AppError);
    expect(r.error).toMatchObject({ code: 'validation', message: 'name: is taken', field: 'name' });

    void r.reload();
    calls[1]!.answer.reject(new Error('disk full'));
    await settle();
    expect(r.error).toMatchObject({ code: 'internal', message: 'disk full' });
  });

  it('reload() clears the error, keeps the last value while it runs, and keeps it when it fails', async () => {
    const { load, calls } = loader<string>();
    const { r } = owned(load);
    calls[0]!.answer.resolve('first');
    await settle();

    const done = r.reload();
    expect(r.loading).toBe(true);
    expect(r.value).toBe('first');
    calls[1]!.answer.reject(new AppError('offline', 'The platform does not answer'));
    await done;
    expect(r.error?.code).toBe('offline');
    expect(r.value).toBe('first');

    void r.reload();
    expect(r.error).toBeNull();
    calls[2]!.answer.resolve('second');
    await settle();
    expect(r.value).toBe('second');
  });

  it('keep: false shows nothing while loading again', async () => {
    const { load, calls } = loader<string>();
    const { r } = owned(load, { keep: false });
    calls[0]!.answer.resolve('first');
    await settle();
    void r.reload();
    expect(r.value).toBeUndefined();
  });

  it('a later load wins: an earlier answer (or failure) that comes after it is dropped', async () => {
    const { load, calls } = loader<string>();
    const { r } = owned(load);
    void r.reload();
    void r.reload();
    expect(calls).toHaveLength(3);
    expect(calls[0]!.context.signal.aborted).toBe(true);
    expect(calls[1]!.context.signal.aborted).toBe(true);
    expect(calls[2]!.context.signal.aborted).toBe(false);

    calls[2]!.answer.resolve('latest');
    await settle();
    calls[0]!.answer.resolve('stale');
    calls[1]!.answer.reject(new Error('stale failure'));
    await settle();
    expect(r.value).toBe('latest');
    expect(r.error).toBeNull();
    expect(r.loading).toBe(false);
  });

  it('an earlier load ending first does not end the later one', async () => {
    const { load, calls } = loader<string>();
    const { r } = owned(load);
    void r.reload();
    calls[0]!.answer.resolve('stale');
    await settle();
    expect(r.loading).toBe(true);
    expect(r.value).toBeUndefined();
    calls[1]!.answer.resolve('latest');
    await settle();
    expect(r.value).toBe('latest');
  });

  it('show() puts a value up before the load ends; a stale load cannot', async () => {
    const { load, calls } = loader<string>();
    const { r } = owned(load);
    calls[0]!.context.show('from the cache');
    expect(r.value).toBe('from the cache');
    expect(r.loading).toBe(true);

    void r.reload();
    calls[0]!.context.show('stale cache');
    expect(r.value).toBe('from the cache');
    calls[1]!.answer.resolve('from the platform');
    await settle();
    expect(r.value).toBe('from the platform');
  });

  it('loads again when its key changes (compared as JSON), and the old key’s answer is dropped', async () => {
    let environment = $state('production');
    let project = $state({ name: 'churn' });
    const seen: string[] = [];
    const { r } = owned<string>(
      () => {
        seen.push(`${project.name}/${environment}`);
        return new Promise((resolve) => setTimeout(() => resolve(`${project.name}/${environment}`), seen.length === 1 ? 20 : 0));
      },
      { key: () => [project.name, environment] },
    );
    expect(seen).toEqual(['churn/production']);

    project = { name: 'churn' }; // a new object, the same inputs: no load
    flushSync();
    expect(seen).toHaveLength(1);

    environment = 'staging';
    flushSync();
    expect(seen).toEqual(['churn/production', 'churn/staging']);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(r.value).toBe('churn/staging');
  });

  it('the loader’s own reads are not tracked: only the key triggers a load', async () => {
    let filter = $state('a');
    let calls = 0;
    owned(async () => {
      calls += 1;
      return filter;
    });
    filter = 'b';
    flushSync();
    expect(calls).toBe(1);
  });

  it('loads again when the session changes, unless told not to', async () => {
    const followed = loader<string>();
    const ignored = loader<string>();
    owned(followed.load);
    owned(ignored.load, { session: false });
    app.sessionEpoch += 1;
    flushSync();
    expect(followed.calls).toHaveLength(2);
    expect(ignored.calls).toHaveLength(1);
  });

  it('once its owner is destroyed, the answer on its way is dropped and the load aborted', async () => {
    const { load, calls } = loader<string>();
    const { r, destroy } = owned(load);
    destroy();
    expect(calls[0]!.context.signal.aborted).toBe(true);
    calls[0]!.answer.resolve('late');
    await settle();
    expect(r.value).toBeUndefined();
    app.sessionEpoch += 1;
    flushSync();
    expect(calls).toHaveLength(1);
  });

  it('value can be set (a row added by the view), and the next load replaces it', async () => {
    const { load, calls } = loader<string[]>();
    const { r } = owned(load);
    calls[0]!.answer.resolve(['a']);
    await settle();
    r.value = [...(r.value ?? []), 'b'];
    expect(r.value).toEqual(['a', 'b']);
    void r.reload();
    calls[1]!.answer.resolve(['a', 'b', 'c']);
    await settle();
    expect(r.value).toEqual(['a', 'b', 'c']);
  });

  it('reload works as a bare handler (onclick={r.reload})', async () => {
    const { load, calls } = loader<number>();
    const { r } = owned(load);
    const { reload } = r;
    void reload();
    expect(calls).toHaveLength(2);
  });
});
