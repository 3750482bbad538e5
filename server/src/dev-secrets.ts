import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';

const devSecretsSchema = z.object({ jwtSecret: z.string().min(32), totpKey: z.string().min(1) });
export type DevSecrets = z.infer<typeof devSecretsSchema>;

/**
 * Development secrets live beside the embedded database so that sessions and TOTP secrets survive a
 * restart; they are created once, readable only by the owner.
 */
export function loadOrCreateDevSecrets(
  dataDir: string,
  generate: () => DevSecrets,
): { path: string; secrets: DevSecrets } {
  const path = join(dataDir, 'dev-secrets.json');
  if (existsSync(path)) {
    const parsed = devSecretsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) {
      throw new AppError('VALIDATION_FAILED', `${path} is damaged; delete it to generate new development secrets.`);
    }
    return { path, secrets: parsed.data };
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets = generate();
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, secrets };
}
