import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopbackHost, loadConfig } from './config';

const SECRETS = {
  KIKI_JWT_SECRET: 'x'.repeat(40),
  KIKI_TOTP_KEY: Buffer.alloc(32, 1).toString('base64'),
};
const PROD = { NODE_ENV: 'production', DATABASE_URL: 'postgres://kiki@db.internal/kiki', ...SECRETS };

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies safe defaults: loopback, port 8787, 15 minute access tokens', () => {
    const config = loadConfig(PROD);
    expect(config).toMatchObject({
      nodeEnv: 'production',
      host: '127.0.0.1',
      port: 8787,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlDays: 30,
      corsOrigins: [],
      mfaIssuer: 'KIKI',
      trustProxy: false,
    });
    expect(config.totpEncryptionKey).toHaveLength(32);
  });

  it('parses ports, origins and booleans', () => {
    const config = loadConfig({
      ...PROD,
      PORT: '0',
      KIKI_CORS_ORIGINS: 'https://a.example, https://b.example',
      KIKI_TRUST_PROXY: 'true',
    });
    expect(config).toMatchObject({
      port: 0,
      corsOrigins: ['https://a.example', 'https://b.example'],
      trustProxy: true,
    });
  });

  it('names every wrong variable in one message', () => {
    const message = messageOf(() =>
      loadConfig({
        ...PROD,
        PORT: 'eighty',
        KIKI_JWT_SECRET: 'short',
        KIKI_CORS_ORIGINS: 'not a url',
        LOG_LEVEL: 'loud',
      }),
    );
    for (const name of ['PORT', 'KIKI_JWT_SECRET', 'KIKI_CORS_ORIGINS', 'LOG_LEVEL']) expect(message).toContain(name);
  });

  it('rejects a TOTP key that is not 32 bytes', () => {
    expect(messageOf(() => loadConfig({ ...PROD, KIKI_TOTP_KEY: Buffer.alloc(16).toString('base64') }))).toMatch(
      /KIKI_TOTP_KEY: must be 32 random bytes/,
    );
  });

  it('refuses to start outside development without secrets, naming them', () => {
    const { KIKI_JWT_SECRET: _j, KIKI_TOTP_KEY: _t, ...noSecrets } = PROD;
    expect(messageOf(() => loadConfig(noSecrets))).toMatch(/KIKI_JWT_SECRET and KIKI_TOTP_KEY must be set/);
    // NODE_ENV unset with an external database is treated as production, not development.
    const { NODE_ENV: _n, ...implicit } = noSecrets;
    expect(messageOf(() => loadConfig(implicit))).toMatch(/must be set outside development/);
  });

  it('never treats a server reachable from the network as development, whatever NODE_ENV says', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kiki-config-'));
    tempDirs.push(dataDir);
    for (const env of [
      { HOST: '0.0.0.0' },
      { HOST: '::', NODE_ENV: 'development' },
      { HOST: '192.168.1.20', NODE_ENV: 'development' },
      { HOST: 'kiki.example.com' },
    ]) {
      const message = messageOf(() => loadConfig({ ...env, KIKI_DATA_DIR: dataDir }));
      expect(message).toContain('KIKI_JWT_SECRET and KIKI_TOTP_KEY must be set outside development');
      expect(message).toContain(`HOST=${env.HOST} is reachable from the network`);
      expect(message).toContain('KIKI_JWT_SECRET with `openssl rand -base64 48`');
      expect(message).toContain('KIKI_TOTP_KEY with `openssl rand -base64 32`');
    }
    // Refusing must not leave generated secrets behind for a later start to pick up.
    expect(() => statSync(join(dataDir, 'dev-secrets.json'))).toThrow();
    expect(loadConfig({ HOST: '0.0.0.0', ...SECRETS })).toMatchObject({ nodeEnv: 'production', host: '0.0.0.0' });
  });

  it('takes an optional metrics token of at least 32 characters, naming the variable when it is too short', () => {
    expect(loadConfig(PROD)).not.toHaveProperty('metricsToken');
    const token = 'm'.repeat(32);
    expect(loadConfig({ ...PROD, KIKI_METRICS_TOKEN: token }).metricsToken).toBe(token);
    const message = messageOf(() => loadConfig({ ...PROD, KIKI_METRICS_TOKEN: 'm'.repeat(31) }));
    expect(message).toMatch(/KIKI_METRICS_TOKEN: must be at least 32 characters/);
  });

  it('knows which hosts only listen on this machine', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.5',
      '128.0.0.1',
      '::ffff:10.0.0.1',
      'localhost.evil.test',
      '127.example',
    ]) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });

  it('generates development secrets once, keeps them private and warns', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kiki-config-'));
    tempDirs.push(dataDir);
    const warnings: string[] = [];
    const first = loadConfig({ KIKI_DATA_DIR: dataDir }, { onWarning: (m) => warnings.push(m) });
    const second = loadConfig({ KIKI_DATA_DIR: dataDir });
    expect(first.nodeEnv).toBe('development');
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.totpEncryptionKey.equals(first.totpEncryptionKey)).toBe(true);
    expect(warnings[0]).toMatch(/development secrets/);
    expect(loadConfig({ KIKI_DATA_DIR: dataDir, HOST: '::1' }).jwtSecret).toBe(first.jwtSecret);
    const file = join(dataDir, 'dev-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('jwtSecret', first.jwtSecret);
  });
});
