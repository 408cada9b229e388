import { describe, expect, it } from 'vitest';
import { canonicalSchematic, factoryImageUrl, schematicId, yamlString } from '../../src/images/schematic.js';

// Expected IDs are the Image Factory's own test vectors (siderolabs/image-factory
// pkg/schematic/schematic_test.go), so a drift in the canonical form fails here.
describe('Talos schematic ID', () => {
  it('gives the published ID of the empty schematic', () => {
    expect(canonicalSchematic({})).toBe('customization: {}\n');
    expect(schematicId({})).toBe('376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba');
    expect(schematicId({ customization: { extraKernelArgs: [], systemExtensions: {} } })).toBe('376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba');
  });
  it('matches the factory for kernel args, META, Secure Boot and overlays', () => {
    expect(schematicId({ customization: { extraKernelArgs: ['noapic', 'nolapic'] } })).toBe('9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c');
    expect(schematicId({ customization: { meta: [{ key: 10, value: 'foo' }] } })).toBe('d308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f');
    expect(schematicId({ customization: { secureboot: { includeWellKnownCertificates: true } } })).toBe('fa8e05f142a851d3ee568eb0a8e5841eaf6b0ebc8df9a63df16ac5ed2c04f3e6');
    expect(schematicId({ overlay: { name: 'rpi_generic', image: 'siderolabs/sbc-raspberrypi' } })).toBe('ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9');
  });
  it('quotes strings that would read back as other types', () => {
    expect(yamlString('true')).toBe('"true"');
    expect(yamlString('123')).toBe('"123"');
    expect(yamlString('console=ttyS0')).toBe('console=ttyS0');
  });
  it('builds the download URL from ID and version', () => {
    expect(factoryImageUrl(schematicId({}), 'v1.12.0')).toBe('https://factory.talos.dev/image/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba/v1.12.0/metal-amd64.iso');
  });
});
