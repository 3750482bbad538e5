import { inflateSync } from 'node:zlib';
import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Configuration } from 'app-builder-lib';
import { drawIcon } from '../../scripts/generate-icon';
import { electronBuilderArgs } from '../../scripts/package';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('electron-builder.yml', () => {
  let config: Configuration;
  // Loading electron-builder's schema takes a few seconds on a busy machine.
  beforeAll(async () => {
    config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
  }, 60_000);

  it("passes electron-builder's own schema and says what we ship", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('app.kiki.desktop');
    expect(config.productName).toBe('KIKI Desktop');
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/node_modules/better-sqlite3/**', '**/node_modules/keytar/**']),
    );
    const files = JSON.stringify(config.files);
    expect(files).toContain('"!**/web-host/**"');
    expect(files).toContain('"!**/*.{test,spec,bench}.{ts,js,cjs,mjs}"');
    expect(files).not.toMatch(/"electron\/|"tests/);
    expect(config.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true });
    expect(config.publish).toBeUndefined();
    expect(JSON.stringify(config.win)).toContain('nsis');
    expect(JSON.stringify(config.mac)).toMatch(/dmg.*zip/);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
  }, 60_000);

  it('a broken config is caught by the same validation (the check above is real)', async () => {
    await expect(
      validateConfiguration({ ...config, win: { target: 'nsis', notAnOption: true } } as never, new DebugLogger(false)),
    ).rejects.toThrow();
  });
});

describe('scripts/package.ts', () => {
  it('adds the generic update feed only when KIKI_UPDATE_URL is set, and only for https', () => {
    expect(electronBuilderArgs(['--linux'], {})).toEqual([
      '--config',
      'electron-builder.yml',
      '--publish',
      'never',
      '--linux',
    ]);
    expect(electronBuilderArgs([], { KIKI_UPDATE_URL: 'https://updates.example.com/kiki/' })).toEqual(
      expect.arrayContaining(['-c.publish.provider=generic', '-c.publish.url=https://updates.example.com/kiki/']),
    );
    expect(() => electronBuilderArgs([], { KIKI_UPDATE_URL: 'http://updates.example.com/' })).toThrow(/https/);
  });
});

describe('scripts/generate-icon.ts', () => {
  it('draws a 1024x1024 RGBA PNG with a transparent corner and an opaque centre', () => {
    const png = drawIcon();
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1024);
    expect(png.readUInt32BE(20)).toBe(1024);
    const idatLength = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    const alphaAt = (x: number, y: number) => raw[y * (1024 * 4 + 1) + 1 + x * 4 + 3];
    expect(alphaAt(0, 0)).toBe(0);
    expect(alphaAt(512, 512)).toBe(255);
  });
});
