// Test helper: who the desktop app's token manager (Accounts over the same data dir and
// keychain) is signed in as on the active connection. Prints one JSON line.
import { Accounts } from '../../electron/services/accounts.js';
import { Connections } from '../../electron/services/connections.js';
import { openVault } from '../../electron/services/vault.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: desktop-whoami.ts DATA_DIR');
const accounts = new Accounts({ connections: Connections.load(dataDir), vault: await openVault() });
const record = accounts.connections.active();
const user = await accounts.client().call('me');
process.stdout.write(`${JSON.stringify({ connection: record?.name, kind: record?.kind, email: user.email, storage: accounts.storage })}\n`);
