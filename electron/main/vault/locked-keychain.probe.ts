import { execFileSync } from 'node:child_process';
import keytar from 'keytar';
import { isAppError } from '@kiki/shared/errors';
import { createKeytarVault } from './keytar-vault';
import { connectorCredentialKey } from '@kiki/shared/vault/vault-key.schema';

/**
 * Run by keytar-vault.keychain.test.ts inside a throwaway Secret Service of its own (scripts/with-keyring.sh
 * with no session bus), because it locks the login keyring, which no shared or real keyring may suffer.
 * Prints, as JSON, what each vault call answered once the keyring was locked.
 */
const service = 'KIKI Desktop lock test';
const vault = createKeytarVault({ service });
const stored = connectorCredentialKey('meta', 'act_1');
await vault.setSecret(stored, 'EAAB-stored-before-the-lock');

execFileSync('dbus-send', [
  '--session',
  '--print-reply',
  '--dest=org.freedesktop.secrets',
  '/org/freedesktop/secrets',
  'org.freedesktop.Secret.Service.Lock',
  'array:objpath:/org/freedesktop/secrets/collection/login',
]);

async function outcome(call: () => Promise<unknown>) {
  try {
    return { value: await call() };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { code: error.code, details: error.details };
  }
}

const results = {
  // What keytar alone answers: the reason the vault checks for a lock before trusting "not found".
  keytarGet: await keytar.getPassword(service, stored),
  get: await outcome(() => vault.getSecret(stored)),
  delete: await outcome(() => vault.deleteSecret(stored)),
  set: await outcome(() => vault.setSecret(connectorCredentialKey('tiktok', '7001'), 'new')),
  list: await outcome(() => vault.listKeys()),
};
process.stdout.write(`${JSON.stringify(results)}\n`);
