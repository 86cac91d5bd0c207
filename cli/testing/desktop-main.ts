// Test helper: the desktop app's services (startDesktop: the embedded platform signed in
// as its local admin, keychain, connections) on a data dir, as the app starts them.
// Prints one JSON line when ready; ends when its standard input closes.
import { startDesktop } from '../../electron/desktop.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: desktop-main.ts DATA_DIR');
const desktop = await startDesktop({ dataDir, keyBits: 2048 });
process.stdout.write(`${JSON.stringify({ url: desktop.embeddedPlatform().url, storage: desktop.vault.storage })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void desktop.close().then(() => process.exit(0));
});
