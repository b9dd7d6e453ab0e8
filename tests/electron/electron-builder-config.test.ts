import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// electron-builder's own YAML reader and schema check, from the installed version (not a copy of its rules).
const require = createRequire(path.join(root, 'node_modules/app-builder-lib/package.json'));
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('./out/util/config/config.js') as {
  validateConfiguration(config: unknown, debug: { isEnabled: boolean; add(): void }): Promise<void>;
};

function builderConfig(): Record<string, unknown> {
  return yaml.load(fs.readFileSync(path.join(root, 'build/electron-builder.yml'), 'utf8')) as Record<string, unknown>;
}

describe('the installers (build/electron-builder.yml)', () => {
  it('flip the Electron fuses that stop the installed app from being turned into a Node runtime or debugged into', () => {
    expect(builderConfig().electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('is a configuration the installed electron-builder accepts (its schema knows every key, electronFuses included)', async () => {
    await expect(validateConfiguration(builderConfig(), { isEnabled: false, add() {} })).resolves.toBeUndefined();
    // The check can fail: a misspelt fuse is refused.
    const wrong = { ...builderConfig(), electronFuses: { runAsNod: false } };
    await expect(validateConfiguration(wrong, { isEnabled: false, add() {} })).rejects.toThrow(/configuration.electronFuses/);
  });

  it('keep the app code in app.asar, which onlyLoadAppFromAsar requires', () => {
    expect(builderConfig().asar).not.toBe(false);
  });
});
