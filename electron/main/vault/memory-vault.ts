import { createVault, type Vault, type VaultLogger } from './vault';

/**
 * A vault held in a Map, for unit tests of code that needs one. It validates exactly like the keychain vault,
 * so a test that passes against it does not hide a key the real vault would refuse.
 */
export function createMemoryVault(options: { logger?: VaultLogger } = {}): Vault {
  const secrets = new Map<string, string>();
  const vault = createVault(
    {
      get: (account) => Promise.resolve(secrets.get(account) ?? null),
      set: (account, value) => {
        secrets.set(account, value);
        return Promise.resolve();
      },
      delete: (account) => Promise.resolve(secrets.delete(account)),
      list: () => Promise.resolve([...secrets.keys()]),
    },
    options.logger,
  );
  return vault;
}
