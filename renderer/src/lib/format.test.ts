import { describe, expect, it } from 'vitest';
import { duration, elapsed, fingerprintText, relativeAndAbsolute, relativeTime, updatedAgo } from './format.js';

describe('formats', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');

  it('says when a view was updated, in seconds while it is fresh', () => {
    expect(updatedAgo(now - 500, now)).toBe('just now');
    expect(updatedAgo(now - 3_200, now)).toBe('3 s ago');
    expect(updatedAgo(now - 125_000, now)).toBe('2 min ago');
    expect(updatedAgo(now - 3 * 3600_000, now)).toMatch(/3 hours ago/);
    expect(updatedAgo(null, now)).toBe('never');
  });

  it('says how long ago, and never for no date', () => {
    expect(relativeTime('2026-11-26T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-11-26T11:57:00Z', now)).toMatch(/3 minutes ago/);
    expect(relativeTime('2026-11-24T12:00:00Z', now)).toMatch(/2 days ago/);
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeAndAbsolute(null, now)).toBe('never');
    expect(relativeAndAbsolute('2026-11-26T11:00:00Z', now)).toMatch(/^1 hour ago \(.+\)$/);
  });

  it('writes fingerprints as ssh-keygen -lf does', () => {
    expect(fingerprintText('SHA256:abc', 4096)).toBe('4096 SHA256:abc (RSA)');
    expect(fingerprintText('SHA256:abc')).toBe('SHA256:abc (RSA)');
    expect(fingerprintText('MD5:aa:bb')).toBe('MD5:aa:bb');
  });

  it('writes durations and elapsed times for people', () => {
    expect(elapsed(840)).toBe('0.8 s');
    expect(elapsed(64_000)).toBe('1 min 04 s');
    expect(duration(850)).toBe('850 ms');
    expect(duration(192_000)).toBe('3 min 12 s');
    expect(duration(7_500_000)).toBe('2 h 05 min');
    expect(duration(null)).toBe('—');
  });
});
