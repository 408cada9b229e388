import type { Lab } from '@lab/shared';
import { UserError } from '../../base/index.js';
import { leaf, leaves, node, tagNode, type ConfigNode } from '../index.js';

type Gateway = NonNullable<Lab['gateway']>;

/** What the gateway's configuration needs from the lab's secrets (a subset of LabSecrets). */
export interface GatewayLoginSecrets {
  /** `passwordHash`: sha512-crypt (`$6$…`) hash of the admin password. */
  login: { passwordHash: string };
  /** `publicKey`: OpenSSH public key line, `ssh-ed25519 AAAA… comment`. */
  ssh: { publicKey: string };
}

/** The login user VyOS images ship with; builder manages it instead of adding another. */
export const GATEWAY_USER = 'vyos';
export const GATEWAY_KEY_NAME = 'builder';

function splitPublicKey(line: string): { type: string; key: string } {
  const [type, key] = line.trim().split(/\s+/);
  if (!type || !key || !/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))$/.test(type) || !/^[A-Za-z0-9+/]+=*$/.test(key)) {
    throw new UserError('ERR_SECRETS_INVALID', 'the gateway SSH public key in the secrets is not an OpenSSH public key line', 'run `builder secrets init` again in a fresh state directory, or restore the gateway key pair');
  }
  return { type, key };
}

/** `system`: host name, domain, login (password hash and SSH key), name servers, time zone. */
export function renderSystem(lab: Lab, gw: Gateway, secrets: GatewayLoginSecrets): ConfigNode {
  if (!/^\$6\$(rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}$/.test(secrets.login.passwordHash)) {
    throw new UserError('ERR_SECRETS_INVALID', 'the gateway admin password hash in the secrets is not a sha512-crypt ($6$) hash', 'restore the gateway secrets file, or create new secrets with `builder secrets init`');
  }
  const pub = splitPublicKey(secrets.ssh.publicKey);
  return node('system', [
    leaf('domain-name', lab.site.domain),
    leaf('host-name', gw.host),
    node('login', [
      tagNode('user', GATEWAY_USER, [
        node('authentication', [
          leaf('encrypted-password', secrets.login.passwordHash),
          tagNode('public-keys', GATEWAY_KEY_NAME, [leaf('key', pub.key), leaf('type', pub.type)]),
        ]),
      ]),
    ]),
    ...leaves('name-server', lab.site.resolvers),
    leaf('time-zone', lab.site.timezone),
  ]);
}
