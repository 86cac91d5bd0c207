// The platform's change feed, followed while something on screen shows platform data: every few
// seconds (only while the window is visible, and at once when it becomes visible again) it asks
// the cheap change cursor, and when the cursor moves it counts one more `epoch`, which the live
// resources (resource(…, { live: true })) read to load again. One poll for the whole window,
// however many views follow it; none at all while nothing follows it.
import type { Freshness } from '../../../domain/app-api-contract.js';
import { app } from './app-state.svelte.js';
import { craft } from './runtime.js';

export const POLL_MS = 3_000;

export interface CursorAnswer {
  cursor: string | null;
  freshness: Freshness;
}

export class ChangeFeed {
  /** Counts the moves of the platform's cursor seen since the window opened. */
  epoch = $state(0);
  #cursor: string | null = null;
  #offline = false;
  #followers = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polling = false;
  readonly #ask: () => Promise<CursorAnswer>;
  readonly #intervalMs: number;
  readonly #visible: () => boolean;
  readonly #onAnswer: (answer: CursorAnswer) => void;

  constructor(
    options: {
      ask?: () => Promise<CursorAnswer>;
      intervalMs?: number;
      visible?: () => boolean;
      /** Told every answer (the app learns from it that the platform stopped or came back). */
      onAnswer?: (answer: CursorAnswer) => void;
    } = {},
  ) {
    this.#ask = options.ask ?? (() => craft.getChangeCursor());
    this.#intervalMs = options.intervalMs ?? POLL_MS;
    this.#visible = options.visible ?? (() => typeof document === 'undefined' || document.visibilityState === 'visible');
    this.#onAnswer = options.onAnswer ?? (() => {});
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', () => {
        if (this.#followers > 0 && this.#visible()) void this.poll();
      });
    }
  }

  /** Starts following (the first follower starts the poll); returns the function that stops. */
  follow(): () => void {
    this.#followers += 1;
    if (this.#followers === 1) this.#schedule(0);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.#followers -= 1;
      if (this.#followers === 0) clearTimeout(this.#timer);
    };
  }

  /** Asks the cursor now: a move since the last answer counts one epoch. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const answer = await this.#ask();
      this.#onAnswer(answer);
      // Offline (null): the last cursor seen is kept, so a change made meanwhile shows when it answers again.
      if (answer.cursor !== null) {
        // Back online: what the views show came from the cache, so they load again even if nothing moved.
        if ((this.#cursor !== null && answer.cursor !== this.#cursor) || this.#offline) this.epoch += 1;
        this.#cursor = answer.cursor;
      }
      this.#offline = answer.cursor === null;
    } catch {
      // The host did not answer: the next round asks again.
    } finally {
      this.#polling = false;
      if (this.#followers > 0) this.#schedule(this.#intervalMs);
    }
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#followers === 0) return;
      if (this.#visible()) void this.poll();
      else this.#schedule(this.#intervalMs); // hidden: no request; visibilitychange asks at once on return
    }, ms);
  }
}

/** The window's one feed. Its answers also tell the header when the platform stops or comes back. */
export const changeFeed = new ChangeFeed({
  onAnswer: ({ freshness }) => {
    if (freshness.offline !== app.offline) app.report(freshness);
  },
});
