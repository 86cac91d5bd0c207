// The only bridge between the sandboxed renderer and the main process: one function,
// one channel. The main process validates the method and its input; the renderer's
// runtime turns the envelope into results and AppErrors, exactly as in browser mode.
import { contextBridge, ipcRenderer } from 'electron';

export const CRAFT_CHANNEL = 'craft:call';

contextBridge.exposeInMainWorld('craftHost', {
  call: (method: string, input: unknown): Promise<unknown> => ipcRenderer.invoke(CRAFT_CHANNEL, method, input),
});
