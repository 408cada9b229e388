import { existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { ensureStateDir, writeFileAtomic, type StatePaths } from '../state/index.js';
import { UserError } from '../base/index.js';
import { parseAdminCredentials } from './admin.js';
import { BundleProblems, parseTalosBundle } from './talos-bundle-parse.js';
import { SECRET_DIR_MODE, secretPaths, type SecretPaths } from './files.js';
import { parseSecretYaml } from './safe-yaml.js';
import type { SecretsPlan } from './plan.js';
import type { LabSecrets } from './types.js';

/** Writes a plan's files (0600, atomically) into the secrets directory (0700). */
export async function applySecretsPlan(paths: StatePaths, plan: SecretsPlan): Promise<void> {
  await ensureStateDir(paths);
  await chmod(paths.secrets, SECRET_DIR_MODE);
  for (const file of plan.create) {
    // Checked again right before writing: secrets are created once, never replaced.
    if (existsSync(file.path)) throw new UserError('ERR_SECRETS_RACE', `${file.path} appeared while secrets were being created; nothing was overwritten`, 'run the command again');
    await writeFileAtomic(file.path, file.content, { mode: file.mode });
  }
}

// No --state here: the CLI adds the operator's own --lab/--state to every command a hint names.
const INIT_HINT = `create them with \`builder secrets init\` (or adopt a talosctl bundle with \`builder secrets import FILE\`); if they existed before, restore them from your backup — new secrets cannot manage an existing cluster`;

async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError('ERR_STATE_UNREADABLE', `cannot read secret file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'check the file permissions of the state directory');
  }
}

/**
 * Loads every secret of a lab. Fails with one message listing each missing file; never
 * creates or regenerates anything.
 */
export async function loadSecrets(paths: StatePaths): Promise<LabSecrets> {
  const files: SecretPaths = secretPaths(paths);
  const entries = Object.entries(files) as [keyof SecretPaths, string][];
  const texts = new Map<keyof SecretPaths, string>();
  const missing: string[] = [];
  for (const [name, path] of entries) {
    const text = await readSecretFile(path);
    if (text === undefined) missing.push(path);
    else texts.set(name, text);
  }
  if (missing.length === entries.length) {
    throw new UserError('ERR_SECRETS_MISSING', `the lab has no secrets yet (nothing in ${paths.secrets})`, INIT_HINT);
  }
  if (missing.length > 0) {
    throw new UserError('ERR_SECRETS_MISSING', `secret files are missing:\n${missing.map((m) => `  ${m}`).join('\n')}`, INIT_HINT);
  }
  const t = (k: keyof SecretPaths) => texts.get(k)!;

  let talos;
  try {
    talos = parseTalosBundle(t('talosSecrets'));
  } catch (err) {
    if (err instanceof BundleProblems) {
      throw new UserError('ERR_SECRETS_INVALID', `${files.talosSecrets} is not a valid Talos secrets bundle: ${err.problems.join('; ')}`, 'restore the file from your backup');
    }
    throw err;
  }
  let admin;
  try {
    admin = parseAdminCredentials(t('admin'));
  } catch (err) {
    throw new UserError('ERR_SECRETS_INVALID', `${files.admin} is not valid: ${(err as Error).message}`, `delete it and run \`builder secrets init\` to issue new admin credentials from the existing CAs`);
  }
  let gateway: { password?: unknown; passwordHash?: unknown } | null;
  try {
    gateway = parseSecretYaml(t('gateway'), files.gateway) as typeof gateway;
  } catch (err) {
    throw new UserError('ERR_SECRETS_INVALID', (err as Error).message, 'restore the file from your backup');
  }
  if (!gateway || typeof gateway.password !== 'string' || typeof gateway.passwordHash !== 'string') {
    throw new UserError('ERR_SECRETS_INVALID', `${files.gateway} must hold password and passwordHash`, 'restore the file from your backup');
  }
  const token = (k: keyof SecretPaths) => {
    const v = t(k).trim();
    if (!v) throw new UserError('ERR_SECRETS_INVALID', `${files[k]} is empty`, 'restore the file from your backup');
    return v;
  };
  return {
    talos,
    admin,
    collectorToken: token('collectorToken'),
    harvesterToken: token('harvesterToken'),
    login: { password: gateway.password, passwordHash: gateway.passwordHash },
    ssh: { publicKey: t('sshPub').trim(), privateKey: t('sshKey') },
  };
}
