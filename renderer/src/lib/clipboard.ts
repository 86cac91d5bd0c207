// Secrets on the clipboard: written, then wiped after a while if they are still there.

const timers = new Map<string, ReturnType<typeof setTimeout>>();

/** Writes a secret and clears it after `seconds` when the clipboard still holds it. */
export async function copySecret(text: string, seconds: number, key = 'secret'): Promise<void> {
  await navigator.clipboard.writeText(text);
  clearTimeout(timers.get(key));
  timers.set(
    key,
    setTimeout(() => {
      timers.delete(key);
      void clearIfStillOurs(text);
    }, seconds * 1000),
  );
}

async function clearIfStillOurs(text: string): Promise<void> {
  let current: string;
  try {
    current = await navigator.clipboard.readText();
  } catch {
    // Reading is not allowed here: we cannot tell, and a token must not linger, so clear.
    current = text;
  }
  if (current !== text) return;
  try {
    await navigator.clipboard.writeText('');
  } catch {
    // The page lost focus or permission: nothing more can be done from here.
  }
}
