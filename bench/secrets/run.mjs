// Secrets benchmark: certificate issuing and sha512-crypt done in-process (node:crypto + our DER
// encoder / Drepper's algorithm) side by side with the external-program baseline the brief
// offered as the alternative (`openssl req -x509`, `openssl passwd -6`). Prints per-operation
// times and the ratio.
//
//   node bench/secrets/run.mjs [--iterations N]
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleNodeEsm } from '../../scripts/bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '30' } } });
const N = Number(values.iterations);

const outfile = join(root, 'bench/out/secrets.mjs');
await bundleNodeEsm({ entry: join(root, 'builder/src/secrets/index.ts'), outfile: outfile, logLevel: 'error' });
const s = await import(outfile);

function time(label, n, fn) {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return { label, ms: (performance.now() - t0) / n };
}

const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const caDer = s.createCertificate(
  { subject: { organization: ['bench'] }, publicKey: ca.publicKey, serial: randomBytes(16), notBefore: new Date(), notAfter: new Date(Date.now() + 864e5), isCA: true, keyUsage: ['digitalSignature', 'keyCertSign'], extKeyUsage: [] },
  { privateKey: ca.privateKey },
);
const dir = mkdtempSync(join(tmpdir(), 'bench-secrets-'));

const rows = [
  [
    time('P-256 key + CA-signed certificate (in-process)', N * 10, () => {
      const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      s.createCertificate(
        { subject: { commonName: 'admin', organization: ['system:masters'] }, publicKey: k.publicKey, serial: randomBytes(16), notBefore: new Date(), notAfter: new Date(Date.now() + 864e5), isCA: false, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] },
        { certificate: caDer, privateKey: ca.privateKey },
      );
    }),
    time('openssl req -x509 -newkey ec (baseline)', N, () => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-subj', '/O=system:masters/CN=admin', '-days', '1', '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    }),
  ],
  [
    time('sha512-crypt, 5000 rounds (in-process)', N, () => s.sha512Crypt('correct horse battery staple', 'saltsaltsaltsalt')),
    time('openssl passwd -6 (baseline)', N, () => execFileSync('openssl', ['passwd', '-6', '-salt', 'saltsaltsaltsalt', '-stdin'], { input: 'correct horse battery staple' })),
  ],
];
rmSync(dir, { recursive: true, force: true });
for (const [ours, base] of rows) {
  for (const r of [ours, base]) console.log(`  ${r.label.padEnd(50)} ${r.ms.toFixed(2).padStart(8)} ms/op`);
  console.log(`  ratio (ours / baseline): ${(ours.ms / base.ms).toFixed(2)}x\n`);
}
