// Dates and times as people read them: relative first, absolute for certainty.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

function toDate(value: string | Date | null | undefined): Date | null {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function relativeTime(value: string | Date | null | undefined, now: number = Date.now()): string {
  const date = toDate(value);
  if (!date) return 'never';
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(seconds, 'second');
}

export function absoluteTime(value: string | Date | null | undefined): string {
  const date = toDate(value);
  return date ? absolute.format(date) : '';
}

export function shortDate(value: string | Date | null | undefined): string {
  const date = toDate(value);
  return date ? dateOnly.format(date) : '';
}

/** "3 minutes ago (26 Nov 2026, 22:55)", or "never". */
export function relativeAndAbsolute(value: string | Date | null | undefined, now: number = Date.now()): string {
  const date = toDate(value);
  if (!date) return 'never';
  return `${relativeTime(date, now)} (${absoluteTime(date)})`;
}

/** Elapsed time for progress: "0.8 s", "12 s", "1 min 04 s". */
export function elapsed(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.floor(ms / 1000);
  if (total < 60) return `${total} s`;
  return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
}

/** "4096 SHA256:… (RSA)", the shape of `ssh-keygen -lf`. */
export function fingerprintText(fingerprint: string, bits?: number): string {
  if (!fingerprint.startsWith('SHA256:')) return fingerprint;
  return bits ? `${bits} ${fingerprint} (RSA)` : `${fingerprint} (RSA)`;
}

/** Stable, human duration for executions: "850 ms", "42 s", "3 min 12 s", "2 h 05 min". */
export function duration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** How long ago a view was updated, short and ticking: "just now", "3 s ago", "2 min ago", then relativeTime. */
export function updatedAgo(at: number | null, now: number = Date.now()): string {
  if (at === null) return 'never';
  const seconds = Math.max(0, Math.floor((now - at) / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return relativeTime(new Date(at), now);
}
