import { createHash } from 'node:crypto';

/**
 * Talos Image Factory schematics. The factory's schematic ID is the hex sha256 of the schematic
 * marshalled by Go's gopkg.in/yaml.v3 (siderolabs/image-factory pkg/schematic): fields in struct
 * order, empty fields omitted, four-space indentation, and `customization` always present (as
 * `{}` when empty). Computing it here lets the builder know the download URL without a network.
 */

export interface Customization {
  extraKernelArgs?: string[];
  meta?: { key: number; value: string }[];
  systemExtensions?: { officialExtensions?: string[] };
  secureboot?: { includeWellKnownCertificates?: boolean };
}

export interface Overlay {
  image: string;
  name: string;
  options?: Record<string, unknown>;
}

export interface Schematic {
  overlay?: Overlay;
  customization?: Customization;
}

export const FACTORY_URL = 'https://factory.talos.dev';

const IND = '    ';

/** YAML 1.1/1.2 scalars yaml.v3 would read back as something other than a string. */
const NON_STRING = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\d[\d_]*)?\.?\d+(?:[eE][-+]?\d+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?.*)$/;
/** Characters that keep yaml.v3's emitter from writing a plain scalar. */
const CONTROL = /\p{Cc}/u;
const PLAIN_UNSAFE = /^[\s\-?:,[\]{}#&*!|>'"%@`]|[\s]$|: |\s#|^$|^-$|^---|^\.\.\./;

function doubleQuoted(s: string): string {
  return JSON.stringify(s);
}

function singleQuoted(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** One string as yaml.v3 writes it: plain when unambiguous, "double" when it would read as another type. */
export function yamlString(s: string): string {
  if (NON_STRING.test(s)) return doubleQuoted(s);
  if (CONTROL.test(s)) return doubleQuoted(s);
  if (PLAIN_UNSAFE.test(s)) return singleQuoted(s);
  return s;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return yamlString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  throw new Error(`cannot write ${typeof v} as a YAML scalar`);
}

function emitValue(v: unknown, depth: number, out: string[], key: string): void {
  const pad = IND.repeat(depth);
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(`${pad}${key}: []`);
      return;
    }
    out.push(`${pad}${key}:`);
    for (const item of v) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const lines: string[] = [];
        emitMap(item as Record<string, unknown>, depth + 1, lines, Object.keys(item as object).sort());
        // yaml.v3 puts the first key of a mapping item on the dash line.
        lines.forEach((l, i) => out.push(i === 0 ? `${pad}${IND}- ${l.slice(IND.repeat(depth + 1).length)}` : `${IND}${l}`));
      } else {
        out.push(`${pad}${IND}- ${scalar(item)}`);
      }
    }
    return;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    if (keys.length === 0) {
      out.push(`${pad}${key}: {}`);
      return;
    }
    out.push(`${pad}${key}:`);
    emitMap(v as Record<string, unknown>, depth + 1, out, keys);
    return;
  }
  out.push(`${pad}${key}: ${scalar(v)}`);
}

function emitMap(m: Record<string, unknown>, depth: number, out: string[], keys: string[]): void {
  for (const k of keys) emitValue(m[k], depth, out, k);
}

const nonEmpty = <T>(a: T[] | undefined): a is T[] => a !== undefined && a.length > 0;

/** The canonical text of a schematic: byte-identical to the factory's Marshal(). */
export function canonicalSchematic(s: Schematic): string {
  const out: string[] = [];
  const o = s.overlay;
  if (o && (o.image || o.name || (o.options && Object.keys(o.options).length > 0))) {
    out.push('overlay:');
    out.push(`${IND}image: ${scalar(o.image ?? '')}`);
    out.push(`${IND}name: ${scalar(o.name ?? '')}`);
    if (o.options && Object.keys(o.options).length > 0) emitValue(o.options, 1, out, 'options');
  }
  const c = s.customization ?? {};
  const body: string[] = [];
  if (nonEmpty(c.extraKernelArgs)) emitValue(c.extraKernelArgs, 1, body, 'extraKernelArgs');
  if (nonEmpty(c.meta)) {
    body.push(`${IND}meta:`);
    for (const m of c.meta) {
      body.push(`${IND}${IND}- key: ${m.key}`);
      body.push(`${IND}${IND}  value: ${yamlString(m.value)}`);
    }
  }
  if (nonEmpty(c.systemExtensions?.officialExtensions)) {
    body.push(`${IND}systemExtensions:`);
    emitValue(c.systemExtensions.officialExtensions, 2, body, 'officialExtensions');
  }
  if (c.secureboot?.includeWellKnownCertificates === true) {
    body.push(`${IND}secureboot:`);
    body.push(`${IND}${IND}includeWellKnownCertificates: true`);
  }
  if (body.length === 0) out.push('customization: {}');
  else out.push('customization:', ...body);
  return `${out.join('\n')}\n`;
}

export function schematicId(s: Schematic): string {
  return createHash('sha256').update(canonicalSchematic(s)).digest('hex');
}

/** `https://factory.talos.dev/image/<id>/<version>/<artifact>` */
export function factoryImageUrl(id: string, version: string, artifact = 'metal-amd64.iso', base = FACTORY_URL): string {
  return `${base.replace(/\/+$/, '')}/image/${id}/${version}/${artifact}`;
}
