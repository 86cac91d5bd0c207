// The SDK token's shape — a prefix secret scanners know, then 256 random bits in base64url — so
// that a copy of one is recognised wherever it should not go (craft run's shipped logs, for one).
export const SDK_TOKEN_PREFIX = 'craft_sdk_';

/** Anything shaped like an SDK token: the prefix and a long base64url run (a few characters less than a whole one still counts). */
const SDK_TOKEN_SHAPE = new RegExp(`${SDK_TOKEN_PREFIX}[A-Za-z0-9_-]{20,}`, 'g');

export const REDACTED_SDK_TOKEN = '[redacted SDK token]';

/** The text with the given tokens, and anything shaped like an SDK token, replaced by REDACTED_SDK_TOKEN. */
export function redactSdkTokens(text: string, known: readonly string[] = []): string {
  let redacted = text;
  for (const token of known) if (token) redacted = redacted.split(token).join(REDACTED_SDK_TOKEN);
  return redacted.replace(SDK_TOKEN_SHAPE, REDACTED_SDK_TOKEN);
}
