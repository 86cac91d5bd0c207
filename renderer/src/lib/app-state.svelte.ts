// What every view shares: the session, whether the platform answers, and a one-shot
// message carried across a navigation ("Project created").
import type { Freshness, Session } from '../../../domain/app-api-contract.js';
import type { AppError } from '../../../domain/errors.js';
import { craft, toAppError } from './runtime.js';

const RECHECK_OFFLINE_MS = 20_000;

class AppState {
  session = $state<Session | null>(null);
  sessionError = $state<AppError | null>(null);
  /** The freshness of the latest answer that carried one (lists, project pages). */
  freshness = $state<Freshness | null>(null);
  /** Ticks so relative times ("2 minutes ago") stay true. */
  now = $state(Date.now());
  /** A message for the next page, shown once (role="status"). */
  flash = $state<string | null>(null);

  readonly offline: boolean = $derived(
    Boolean(this.freshness?.offline) || this.session?.online === false,
  );
  readonly lastSynced: string | null = $derived(
    (this.freshness?.offline ? this.freshness.synced_at : null) ?? this.session?.synced_at ?? this.freshness?.synced_at ?? null,
  );

  #recheck: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    if (typeof window === 'undefined') return;
    setInterval(() => (this.now = Date.now()), 15_000);
  }

  async loadSession(): Promise<void> {
    try {
      const session = await craft.getSession();
      this.session = session;
      this.sessionError = null;
      // The platform answers again: an older offline answer no longer holds.
      if (session.online && this.freshness?.offline) {
        this.freshness = { source: 'platform', offline: false, synced_at: session.synced_at };
      }
    } catch (error) {
      this.sessionError = toAppError(error);
    }
    this.#scheduleRecheck();
  }

  /** Records how fresh an answer is; an online answer clears the offline notice. */
  report(freshness: Freshness): void {
    this.freshness = freshness;
    if (!freshness.offline && this.session && !this.session.online) {
      this.session = { ...this.session, online: true, synced_at: freshness.synced_at };
    }
    this.#scheduleRecheck();
  }

  /** While offline, asks again now and then so the notice goes away by itself. */
  #scheduleRecheck(): void {
    clearTimeout(this.#recheck);
    if (!this.offline && !this.sessionError) return;
    this.#recheck = setTimeout(() => void this.loadSession(), RECHECK_OFFLINE_MS);
  }

  takeFlash(): string | null {
    const message = this.flash;
    this.flash = null;
    return message;
  }
}

export const app = new AppState();
