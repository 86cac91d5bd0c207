// The only bridge between the sandboxed renderer and the main process: one function,
// one channel. The main process checks who calls and validates the method and its input;
// the renderer's runtime turns the envelope into results and AppErrors, as in browser mode.
// Self-contained, as a sandboxed preload must be (it can require nothing but electron), so
// the channel is spelled here; bundle.test.ts checks it is shell/ipc-sender.ts's CRAFT_CHANNEL.
import { contextBridge, ipcRenderer } from 'electron';

contextBridge.exposeInMainWorld('craftHost', {
  call: (method: string, input: unknown): Promise<unknown> => ipcRenderer.invoke('craft:call', method, input),
});
