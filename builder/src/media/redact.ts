// What a Talos machine config summary may show: everything but keys, certificates, tokens and
// other secrets. Pure.
import { parseAllDocuments } from 'yaml';

const SECRET_KEY = /(^|[^a-z])(key|crt|cert|certificate|token|secret|password|passphrase|bootstraptoken|secretboxencryptionsecret|aescbcencryptionsecret)s?$/i;
const PEM = /-----BEGIN [A-Z ]+-----/;
export const REDACTED = '[redacted]';

function looksSecret(value: string): boolean {
  if (PEM.test(value)) return true;
  // Long base64 (or base64url, like cluster.id) blobs are keys, certificates or secrets.
  return value.length >= 32 && /^[A-Za-z0-9+/=_-]+$/.test(value) && /[0-9]/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value);
}

export function redactValue(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return SECRET_KEY.test(key) || looksSecret(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redactValue(key, v));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) && typeof v !== 'object' ? REDACTED : redactValue(k, v)]));
  }
  return SECRET_KEY.test(key) ? REDACTED : value;
}

export interface ConfigSummary {
  documents: { kind: string; name?: string }[];
  machineType?: string;
  hostname?: string;
  clusterName?: string;
  endpoint?: string;
  installDisk?: unknown;
  eventSink?: string;
  kmsgLog?: string;
  /** Every document with secret values replaced by [redacted]. */
  redacted: unknown[];
  /** A document that did not parse; the text is not shown because it may hold secrets. */
  unreadable?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function summarizeTalosConfig(text: string): ConfigSummary {
  const summary: ConfigSummary = { documents: [], redacted: [] };
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      summary.unreadable = `a document does not parse as YAML (${doc.errors[0]!.message.split('\n')[0]})`;
      continue;
    }
    const value = doc.toJS() as unknown;
    const o = obj(value);
    if (!o) continue;
    summary.redacted.push(redactValue('', o));
    if (o.machine || o.cluster) {
      summary.documents.push({ kind: `MachineConfig ${str(o.version) ?? ''}`.trim() });
      const machine = obj(o.machine);
      const cluster = obj(o.cluster);
      summary.machineType = str(machine?.type);
      summary.hostname = str(obj(machine?.network)?.hostname) ?? summary.hostname;
      summary.clusterName = str(cluster?.clusterName);
      summary.endpoint = str(obj(obj(cluster?.controlPlane))?.endpoint);
      summary.installDisk = obj(machine?.install)?.diskSelector ?? obj(machine?.install)?.disk;
    } else {
      const kind = str(o.kind) ?? 'unknown';
      summary.documents.push({ kind, name: str(o.name) });
      if (kind === 'HostnameConfig') summary.hostname = str(o.hostname) ?? summary.hostname;
      if (kind === 'EventSinkConfig') summary.eventSink = str(o.endpoint);
      if (kind === 'KmsgLogConfig') summary.kmsgLog = str(o.url);
    }
  }
  return summary;
}
