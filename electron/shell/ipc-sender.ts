// Who may call the desktop API over IPC: our window's main frame, showing our renderer
// (any hash route). As VS Code's validated ipcMain does, the frame's URL is parsed and a
// subframe is refused; a frame that has gone (navigated away, destroyed) is refused too.
import { isRendererDocument } from './renderer-document.js';

/** The one IPC channel: the preload's craftHost.call(method, input). */
export const CRAFT_CHANNEL = 'craft:call';

export interface IpcSender {
  /** The call came from our main window's WebContents. */
  fromOurWindow: boolean;
  /** The sending frame, or null when it navigated or was destroyed before the call arrived. */
  frame: { url: string; isMainFrame: boolean } | null;
}

export function mayCallDesktop(sender: IpcSender, rendererUrl: string): boolean {
  return sender.fromOurWindow && sender.frame !== null && sender.frame.isMainFrame && isRendererDocument(sender.frame.url, rendererUrl);
}

export const REFUSED_SENDER = { ok: false, error: { error: 'forbidden', message: 'This window may not call the desktop app' } } as const;
