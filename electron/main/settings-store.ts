import ElectronStore from 'electron-store';
import { appSettingsSchema, windowStateSchema, type AppSettings, type WindowState } from './settings.schema';

/**
 * The electron-store file, read through zod: it is a file on disk a user (or a bug) can edit, so a bad
 * value falls back to the default instead of crashing start-up.
 */
export interface SettingsStore {
  readWindowState(): unknown;
  writeWindowState(state: WindowState): void;
  readSettings(): AppSettings;
}

export function createSettingsStore(): SettingsStore {
  const store = new ElectronStore<{ windowState?: unknown; settings?: unknown }>({ name: 'settings' });
  return {
    readWindowState: () => store.get('windowState'),
    writeWindowState: (state) => {
      // A minimised or half-created window can report nonsense; keep the last good state instead.
      const parsed = windowStateSchema.safeParse(state);
      if (parsed.success) store.set('windowState', parsed.data);
    },
    readSettings: () => {
      const parsed = appSettingsSchema.safeParse(store.get('settings') ?? {});
      return parsed.success ? parsed.data : appSettingsSchema.parse({});
    },
  };
}
