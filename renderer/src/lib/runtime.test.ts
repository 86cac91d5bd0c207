import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../domain/errors.js';
import { createHttpRuntime, createIpcRuntime, unwrapEnvelope } from './runtime.js';

afterEach(() => vi.unstubAllGlobals());

describe('the runtime', () => {
  it('opens envelopes into results or AppErrors', () => {
    expect(unwrapEnvelope({ ok: true, result: { a: 1 } }, 'getSession')).toEqual({ a: 1 });
    const error = (() => {
      try {
        unwrapEnvelope({ ok: false, error: { error: 'validation', message: 'name: is required', field: 'name' } }, 'createProject');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'validation', field: 'name', message: 'name: is required' });
    expect(() => unwrapEnvelope('nonsense', 'getSession')).toThrow(/unexpected reply/);
  });

  it('calls POST /api/<method> with the connection token, {} when no input', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ ok: true, result: { items: [] } }), { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const api = createHttpRuntime('tok', 'http://127.0.0.1:1');
    await expect(api.listProjects()).resolves.toEqual({ items: [] });
    expect(fetch).toHaveBeenCalledWith('http://127.0.0.1:1/api/listProjects', {
      method: 'POST',
      headers: { Authorization: 'Bearer tok', 'Content-Type': 'application/json' },
      body: '{}',
    });
  });

  it('says the desktop app is not answering when the fetch fails', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(createHttpRuntime('tok').getSession()).rejects.toMatchObject({
      code: 'offline',
      message: 'The desktop app is not answering: is it still running?',
    });
  });

  it('explains a refused connection token', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('no', { status: 401 })));
    await expect(createHttpRuntime(null).getSession()).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('speaks the same envelope over the Electron bridge', async () => {
    const call = vi.fn(async (method: string) =>
      method === 'getProject'
        ? { ok: false, error: { error: 'not_found', message: 'name: no project named "x"', field: 'name' } }
        : { ok: true, result: { job_id: 'j1' } },
    );
    const api = createIpcRuntime({ call });
    await expect(api.startKeyGeneration()).resolves.toEqual({ job_id: 'j1' });
    expect(call).toHaveBeenCalledWith('startKeyGeneration', {});
    await expect(api.getProject({ name: 'x' })).rejects.toMatchObject({ code: 'not_found', field: 'name' });
  });
});
