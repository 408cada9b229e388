import { DEFAULT_LOADERS } from '@lab/shared';

/**
 * The iPXE loaders the DHCP answer names unless the agent config says otherwise (the shared
 * DEFAULT_LOADERS: undionly.kpxe for BIOS, ipxe.efi for UEFI), each with where Debian's `ipxe`
 * package installs it on this machine: `dpkg -L ipxe` lists /usr/lib/ipxe/ipxe.efi (beside
 * /boot/ipxe.efi) and /usr/lib/ipxe/undionly.kpxe. Keyed by the path under the PXE root.
 */
export const IPXE_LOADERS: Readonly<Record<string, string>> = {
  [DEFAULT_LOADERS.uefi]: '/usr/lib/ipxe/ipxe.efi',
  [DEFAULT_LOADERS.bios]: '/usr/lib/ipxe/undionly.kpxe',
};
