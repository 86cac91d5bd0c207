// Quitting waits for the app to close cleanly: key generations cancelled, a running sync
// stopped at its page boundary (each page is one SQLite transaction), the embedded platform
// and the cache closed. Electron's will-quit is held until then, once.

export interface QuitGuardOptions {
  /** Closes the app's services; quitting goes on even if it fails. */
  close: () => Promise<void>;
  /** Asks Electron to quit again once closed (app.quit). */
  quit: () => void;
  log: (message: string) => void;
}

/** The will-quit listener. */
export function guardQuit(options: QuitGuardOptions): (event: { preventDefault(): void }) => void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  return (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    void options
      .close()
      .catch((error: unknown) => options.log(`Closing the app failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        state = 'closed';
        options.quit();
      });
  };
}
