/**
 * A desktop core in a process of its own, so a test can `kill -9` it in the middle of an outbox flush and start it
 * again on the same data folder. The parent drives it over the IPC channel: `{ id, method, input }` calls an RPC
 * handler, `{ id, offline }` switches its network. Started by core-process.ts with `node --import tsx`.
 *
 * The refresh token lives in a JSON file outside the data folder, playing the OS keychain: it survives the process
 * like the keychain would, which the memory vault cannot, and unlike a real Secret Service it needs no D-Bus
 * session in the test run. The file is replaced atomically (write, then rename) so a kill never leaves half of it.
 */
import fs from 'node:fs';
import type { RpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import { isAppError } from '@kiki/shared/errors';
import { createAppCore } from '../../../electron/core/app-core';
import type { TokenVault } from '../../../electron/core/sync/token-vault';

const dataDir = process.env.KIKI_CHILD_DATA_DIR;
const vaultFile = process.env.KIKI_CHILD_VAULT_FILE;
if (dataDir === undefined || vaultFile === undefined || process.send === undefined) {
  throw new Error('core-child needs KIKI_CHILD_DATA_DIR, KIKI_CHILD_VAULT_FILE and an IPC channel');
}
const send = process.send.bind(process);

function readVault(): Record<string, string> {
  if (!fs.existsSync(vaultFile as string)) return {};
  return JSON.parse(fs.readFileSync(vaultFile as string, 'utf8')) as Record<string, string>;
}

function writeVault(entries: Record<string, string>): void {
  const tmp = `${vaultFile as string}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(entries));
  fs.renameSync(tmp, vaultFile as string);
}

const fileVault: TokenVault = {
  get: (key) => Promise.resolve(readVault()[key] ?? null),
  set: (key, value) => {
    writeVault({ ...readVault(), [key]: value });
    return Promise.resolve();
  },
  delete: (key) => {
    const entries = readVault();
    delete entries[key];
    writeVault(entries);
    return Promise.resolve();
  },
};

let offline = false;
const fetchThroughSwitch: typeof fetch = (input, init) =>
  offline ? Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED')) : fetch(input, init);

const core = await createAppCore({ dataDir, vault: fileVault, fetch: fetchThroughSwitch });
// Some handlers answer synchronously, some with a promise; the IPC reply awaits either.
const handlers = core.handlers as unknown as Record<string, (input: unknown) => unknown>;

process.on('message', (message: { id: number; method?: keyof RpcHandlers; input?: unknown; offline?: boolean }) => {
  if (message.offline !== undefined) {
    offline = message.offline;
    send({ id: message.id, ok: true, value: null });
    return;
  }
  const handler = message.method === undefined ? undefined : handlers[message.method];
  if (handler === undefined) {
    send({ id: message.id, ok: false, error: { code: 'NOT_FOUND', message: `no method ${String(message.method)}` } });
    return;
  }
  Promise.resolve()
    .then(() => handler(message.input ?? {}))
    .then(
      (value) => send({ id: message.id, ok: true, value }),
      (error: unknown) =>
        send({
          id: message.id,
          ok: false,
          error: isAppError(error)
            ? { code: error.code, message: error.message }
            : { code: 'INTERNAL', message: String(error) },
        }),
    );
});
send({ ready: true });
process.once('SIGTERM', () => {
  core.close();
  process.exit(0);
});
