// What every view shares: the session, whether the platform answers, and a one-shot
// message carried across a navigation ("Project created").
import type { AppOutput, Freshness, Session } from '../../../domain/app-api-contract.js';
import type { AppError } from '../../../domain/errors.js';
import { tick } from 'svelte';
import { craft, toAppError } from './runtime.js';

const RECHECK_OFFLINE_MS = 20_000;

export type ConnectionView = AppOutput<'listConnections'>['items'][number];

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

  /**
   * A message about the session shown by the shell above the view (it survives the views' reload). It
   * belongs to the screen it was raised on (`screen`): the shell drops it when that screen goes away.
   */
  notice = $state<{ tone: 'error' | 'warning' | 'success'; text: string; screen: string } | null>(null);
  /** The screen the shell shows now: the route, or the sign-in while it replaces every route. */
  screen = $state('');
  /** Every connection of the token manager (embedded, team platforms…), one active. */
  connections = $state<ConnectionView[]>([]);
  connectionsError = $state<AppError | null>(null);
  /**
   * Counts the user's switches, sign-ins and sign-outs: views keyed on it reload with the new
   * connection's data. (Not the first session load, which must not wipe a form being filled.)
   */
  sessionEpoch = $state(0);
  /** A team connection nobody is signed in to: the shell shows the sign-in. */
  readonly needsSignIn: boolean = $derived(
    Boolean(this.session && !this.session.user && this.session.connection.kind === 'team'),
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

  async loadConnections(): Promise<void> {
    try {
      const answer = await craft.listConnections();
      this.connections = answer.items;
      this.connectionsError = null;
    } catch (error) {
      this.connectionsError = toAppError(error);
    }
  }

  /** The session and the connections list after anything that changes them. */
  async refreshAll(): Promise<void> {
    this.freshness = null;
    this.sessionEpoch += 1;
    // One after the other: each reads the keychain, which answers concurrent reads poorly.
    await this.loadSession();
    await this.loadConnections();
  }

  async signIn(input: { email: string; password: string }): Promise<void> {
    const session = await craft.signIn(input);
    this.session = session;
    this.sessionError = null;
    this.sessionEpoch += 1;
    await this.loadConnections();
  }

  /** Revokes the session on the platform; returns what to tell the user when it could not. */
  async signOut(): Promise<string | null> {
    const answer = await craft.signOut();
    await this.refreshAll();
    return answer.revoked ? null : answer.message;
  }

  async switchTo(id: string): Promise<void> {
    await craft.switchConnection({ id });
    await this.refreshAll();
  }

  async addConnection(input: { url: string; name?: string }): Promise<ConnectionView> {
    const added = await craft.addConnection(input);
    await this.refreshAll();
    return added;
  }

  /** What happened, as the desktop says it (a session revoked, none open, the platform not reached…). */
  async removeConnection(id: string): Promise<{ tone: 'warning' | 'success'; text: string }> {
    const answer = await craft.removeConnection({ id });
    await this.refreshAll();
    return { tone: answer.revoked ? 'success' : 'warning', text: answer.message ?? 'The connection was removed.' };
  }

  /** Records how fresh an answer is; an online answer clears the offline notice. */
  report(freshness: Freshness): void {
    this.freshness = freshness;
    if (!freshness.offline && this.session && !this.session.online) {
      this.session = { ...this.session, online: true, synced_at: freshness.synced_at };
    }
    this.#scheduleRecheck();
  }

  /** Records the freshness of an answer and hands the answer on: `app.reported(await craft.getX()).item`. */
  reported<A extends { freshness: Freshness }>(answer: A): A {
    this.report(answer.freshness);
    return answer;
  }

  /** While offline, asks again now and then so the notice goes away by itself. */
  #scheduleRecheck(): void {
    clearTimeout(this.#recheck);
    if (!this.offline && !this.sessionError) return;
    this.#recheck = setTimeout(() => void this.loadSession(), RECHECK_OFFLINE_MS);
  }

  /** Raises the notice on the screen shown once the action's outcome is on screen (a switch may have led to the sign-in). */
  async say(tone: 'error' | 'warning' | 'success', text: string): Promise<void> {
    await tick();
    this.notice = { tone, text, screen: this.screen };
  }

  /**
   * Offline, the way back: the embedded platform is started again; a team platform is asked again.
   * Resolves with whether it answers now.
   */
  async reconnect(): Promise<boolean> {
    if (this.session?.connection.kind === 'embedded') await craft.setEmbeddedPlatform({ running: true });
    await this.loadSession();
    return this.session?.online === true;
  }

  takeFlash(): string | null {
    const message = this.flash;
    this.flash = null;
    return message;
  }
}

export const app = new AppState();
