import { describe, expect, it } from 'vitest';
import { REDACTED, summarizeTalosConfig } from '../../builder/src/media/redact.js';

const CONFIG = `version: v1alpha1
machine:
  type: controlplane
  token: 6gtndb.9lx1xd0wkbh1sm4k
  ca:
    crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    key: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t
  install:
    image: ghcr.io/siderolabs/installer:v1.12.0
    diskSelector: { size: ">= 256GB", type: nvme }
  network:
    hostname: cp-1
cluster:
  id: _fqHhGLdYGiHS3b1ODwBzfz9xVtYRCHO9rk_vpEq7Ho=
  secret: 3hR0sQ2mH5tq0Jk1x9Jd4YcQ6Yx2bM7wRkTzV1Hn0pE=
  clusterName: platform
  controlPlane: { endpoint: https://10.10.30.10:6443 }
  serviceAccount:
    key: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==
  aescbcEncryptionSecret: z01mye6j16bspJYtTB/5SFX8j7Ahq3Bv3r3l1VZbUVs=
  extraManifests: [https://example.invalid/very/long/path/to/a/manifest-file.yaml]
---
apiVersion: v1alpha1
kind: KmsgLogConfig
name: collector
url: tcp://10.10.10.5:4002/
`;

describe('Talos config summary for media show', () => {
  const s = summarizeTalosConfig(CONFIG);
  const shown = JSON.stringify(s);

  it('keeps what identifies the node', () => {
    expect(s).toMatchObject({ machineType: 'controlplane', hostname: 'cp-1', clusterName: 'platform', endpoint: 'https://10.10.30.10:6443', kmsgLog: 'tcp://10.10.10.5:4002/' });
    expect(s.documents.map((d) => d.kind)).toEqual(['MachineConfig v1alpha1', 'KmsgLogConfig']);
    expect(shown).toContain('ghcr.io/siderolabs/installer:v1.12.0');
    expect(shown).toContain('https://example.invalid/very/long/path/to/a/manifest-file.yaml');
  });

  it('redacts tokens, keys, certificates, cluster id and secrets', () => {
    for (const secret of ['6gtndb.9lx1xd0wkbh1sm4k', 'LS0tLS1C', '_fqHhGLdYGiH', '3hR0sQ2mH5', 'z01mye6j16b']) expect(shown).not.toContain(secret);
    const machine = (s.redacted[0] as { machine: { token: string; ca: { key: string } } }).machine;
    expect(machine.token).toBe(REDACTED);
    expect(machine.ca.key).toBe(REDACTED);
  });

  it('does not echo a document that fails to parse', () => {
    const bad = summarizeTalosConfig('machine:\n  token: "unterminated-secret-value\n');
    expect(bad.unreadable).toMatch(/does not parse/);
    expect(JSON.stringify(bad)).not.toContain('unterminated-secret-value');
  });
});
