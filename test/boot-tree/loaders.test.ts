// The iPXE loaders boot-tree knows (IPXE_LOADERS, the rehearsal's PXE root copies them): the
// names the DHCP answer gives by default, each a file Debian's `ipxe` package installed here
// (scripts/setup.sh), and the same package file examples/genesis/images.yaml pins for that path.
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOADERS } from '@lab/shared';
import { IPXE_LOADERS } from '../../builder/src/boot-tree/index.js';
import { parseManifest } from '../../builder/src/images/index.js';

const MANIFEST = resolve(import.meta.dirname, '../../examples/genesis/images.yaml');

describe('IPXE_LOADERS', () => {
  it('names the default DHCP loaders, each installed by Debian ipxe and pinned from that package in images.yaml', async () => {
    expect(Object.keys(IPXE_LOADERS).sort()).toEqual([DEFAULT_LOADERS.bios, DEFAULT_LOADERS.uefi].sort());
    const parsed = parseManifest(await readFile(MANIFEST, 'utf8'), MANIFEST);
    if (!parsed.ok) throw new Error(`${MANIFEST} does not parse`);
    for (const [serve, src] of Object.entries(IPXE_LOADERS)) {
      expect(existsSync(src), `${src} (apt-get install ipxe)`).toBe(true);
      const pinned = parsed.manifest.images.find((i) => i.serve === serve);
      expect(pinned?.debian?.package, `images.yaml entry served at ${serve}`).toBe('ipxe');
      expect(realpathSync(src)).toBe(realpathSync(pinned!.debian!.file));
    }
  });
});
