import { stringify } from 'yaml';
import { adminCredentialsYaml, issueAdminCredentials } from './admin.js';
import { hashPassword } from './sha512crypt.js';
import { generateSshKeyPair } from './openssh.js';
import { bearerToken, password, randomString } from './random.js';
import { generateTalosBundle, talosBundleYaml, type TalosSecretsBundle } from './talos-bundle.js';
import { SECRET_MODE, type SecretPaths } from './files.js';

/** One secret file to create. */
export interface SecretFile {
  path: string;
  /** What it holds, for messages (never the value). */
  what: string;
  content: string;
  mode: number;
}

export interface SecretsPlan {
  create: SecretFile[];
  /** Files that exist and are left alone. */
  kept: string[];
}

/**
 * Decides which secret files to create: every missing one, never an existing one. `bundle` is
 * the Talos bundle to use when the bundle file is missing (an imported one); otherwise a new
 * bundle is generated. Admin client credentials are issued from whichever bundle ends up on
 * disk, so `existingBundle` must be given when the bundle file exists and credentials are missing.
 */
export function planSecrets(
  files: SecretPaths,
  exists: (path: string) => boolean,
  now: Date,
  options: { bundle?: TalosSecretsBundle; existingBundle?: TalosSecretsBundle; comment?: string } = {},
): SecretsPlan {
  const create: SecretFile[] = [];
  const kept: string[] = [];
  const add = (path: string, what: string, content: () => string) => {
    if (exists(path)) kept.push(path);
    else create.push({ path, what, content: content(), mode: SECRET_MODE });
  };

  let bundle = options.existingBundle;
  add(files.talosSecrets, 'Talos secrets bundle', () => {
    bundle = options.bundle ?? generateTalosBundle(now);
    return talosBundleYaml(bundle);
  });
  add(files.admin, 'admin client certificates (talosconfig, kubeconfig)', () => {
    if (!bundle) throw new Error('planSecrets: the existing Talos bundle is needed to issue admin credentials');
    return adminCredentialsYaml(issueAdminCredentials(bundle, now));
  });
  add(files.collectorToken, 'collector bearer token', () => `${bearerToken()}\n`);
  add(files.harvesterToken, 'Harvester cluster token', () => `${randomString(40)}\n`);
  add(files.gateway, 'gateway admin password and its sha512-crypt hash', () => {
    const pw = password();
    return stringify({ user: 'vyos', password: pw, passwordHash: hashPassword(pw) }, { lineWidth: 0 });
  });
  if (!exists(files.sshKey) || !exists(files.sshPub)) {
    if (exists(files.sshKey) !== exists(files.sshPub)) {
      throw new Error(`only one half of the SSH key pair exists (${exists(files.sshKey) ? files.sshKey : files.sshPub})`);
    }
    const pair = generateSshKeyPair(`builder@${options.comment ?? 'lab'}`);
    create.push({ path: files.sshKey, what: 'SSH private key (ed25519, OpenSSH format)', content: pair.privateKey, mode: SECRET_MODE });
    create.push({ path: files.sshPub, what: 'SSH public key', content: pair.publicKey, mode: SECRET_MODE });
  } else kept.push(files.sshKey, files.sshPub);
  return { create, kept };
}
