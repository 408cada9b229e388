import { X509Certificate } from 'node:crypto';
import { parseSecretYaml } from './safe-yaml.js';
import { fromPem } from './x509.js';
import { parsePrivateKeyPem, unb64, type TalosSecretsBundle } from './talos-bundle.js';

/**
 * Reads a Talos secrets bundle written by `talosctl gen secrets`, talhelper `gensecret`, or
 * builder itself, and checks every field. Problems name the field, never its value. Pure.
 */

export class BundleProblems extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'BundleProblems';
  }
}

const CA_FIELDS = ['etcd', 'k8s', 'k8saggregator', 'os'] as const;

function get(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function parseTalosBundle(text: string): TalosSecretsBundle {
  let data: unknown;
  try {
    data = parseSecretYaml(text, 'the bundle');
  } catch (err) {
    throw new BundleProblems([(err as Error).message]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new BundleProblems(['expected a mapping with cluster, secrets, trustdinfo and certs']);

  const problems: string[] = [];
  const str = (path: string[], required = true): string | undefined => {
    const v = get(data, path);
    if (v === undefined || v === null || v === '') {
      if (required) problems.push(`missing field ${path.join('.')}`);
      return undefined;
    }
    if (typeof v !== 'string') {
      problems.push(`field ${path.join('.')} must be a string`);
      return undefined;
    }
    return v;
  };

  const id = str(['cluster', 'id']);
  const secret = str(['cluster', 'secret']);
  const bootstraptoken = str(['secrets', 'bootstraptoken']);
  const secretbox = str(['secrets', 'secretboxencryptionsecret'], false);
  const aescbc = str(['secrets', 'aescbcencryptionsecret'], false);
  if (!secretbox && !aescbc) problems.push('missing field secrets.secretboxencryptionsecret (or secrets.aescbcencryptionsecret)');
  if (bootstraptoken && !/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(bootstraptoken)) problems.push('field secrets.bootstraptoken is not a token of the form [a-z0-9]{6}.[a-z0-9]{16}');
  const trustd = str(['trustdinfo', 'token']);

  const certs: Record<string, { crt: string; key: string }> = {};
  for (const name of CA_FIELDS) {
    const crt = str(['certs', name, 'crt']);
    const key = str(['certs', name, 'key']);
    if (!crt || !key) continue;
    let cert: X509Certificate | undefined;
    try {
      cert = new X509Certificate(fromPem(unb64(crt), 'CERTIFICATE'));
    } catch {
      problems.push(`field certs.${name}.crt is not base64 of a PEM certificate`);
    }
    try {
      const k = parsePrivateKeyPem(unb64(key));
      if (cert && !cert.checkPrivateKey(k)) problems.push(`certs.${name}.key does not belong to certs.${name}.crt`);
    } catch {
      problems.push(`field certs.${name}.key is not base64 of a PEM private key`);
    }
    if (cert && !cert.ca) problems.push(`certs.${name}.crt is not a CA certificate`);
    certs[name] = { crt, key };
  }
  const saKey = str(['certs', 'k8sserviceaccount', 'key']);
  if (saKey) {
    try {
      parsePrivateKeyPem(unb64(saKey));
    } catch {
      problems.push('field certs.k8sserviceaccount.key is not base64 of a PEM private key');
    }
  }
  if (problems.length > 0) throw new BundleProblems(problems);

  return {
    cluster: { id: id!, secret: secret! },
    secrets: {
      bootstraptoken: bootstraptoken!,
      ...(aescbc ? { aescbcencryptionsecret: aescbc } : {}),
      ...(secretbox ? { secretboxencryptionsecret: secretbox } : {}),
    },
    trustdinfo: { token: trustd! },
    certs: {
      etcd: certs.etcd!,
      k8s: certs.k8s!,
      k8saggregator: certs.k8saggregator!,
      k8sserviceaccount: { key: saKey! },
      os: certs.os!,
    },
  };
}
