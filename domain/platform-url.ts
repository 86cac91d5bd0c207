// A team platform's URL. Signing in sends a password, and every call an SDK token: over http
// anyone on the way reads them, so https is required — except to this computer (loopback), where
// nobody sits in between (the embedded platform, a platform started locally).
import { z } from 'zod';

export const PLATFORM_URL_HTTPS_RULE =
  'must start with https:// (http:// only for a platform on this computer: over http a password and an SDK token travel in clear)';

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

/** The URL without trailing slashes, or the rule it breaks (without the field's name). */
export function checkPlatformUrl(text: string): { url: string } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(text.trim());
  } catch {
    return { problem: 'must be a URL such as https://mlops.example.com' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { problem: PLATFORM_URL_HTTPS_RULE };
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) return { problem: PLATFORM_URL_HTTPS_RULE };
  if (parsed.username || parsed.password) return { problem: 'must not contain a user name or password' };
  return { url: parsed.toString().replace(/\/+$/, '') };
}

/** The same rule as a schema field (the desktop API's addConnection). */
export const platformUrl = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .superRefine((text, ctx) => {
    const checked = checkPlatformUrl(text);
    if ('problem' in checked) ctx.addIssue({ code: 'custom', message: checked.problem });
  })
  .transform((text) => {
    const checked = checkPlatformUrl(text);
    return 'url' in checked ? checked.url : text;
  });
