import type { CommandEntry } from './command.js';

/**
 * Every command of the CLI, in the order `builder --help` lists them. A command's module is
 * loaded only when it runs, so `builder validate` does not pay for fastify, ssh2 or SQLite.
 * Add a row and the new command gets the top-level and group help, "did you mean", the --json
 * error document, hints that carry --lab/--state, and shell completion (test/cli/table.test.ts
 * runs every row).
 */
export const COMMANDS: CommandEntry[] = [
  { name: 'validate', summary: 'check the lab file: schema and cross-field rules, every problem at once', context: 'lab', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'schema', summary: 'print the JSON Schema of the lab file (for editors)', context: 'none', load: async () => (await import('./schema.js')).schemaCommand },
  { name: 'secrets init', summary: 'create the lab secrets once (Talos bundle, tokens, gateway password, SSH key)', context: 'lab+state', load: async () => (await import('./secrets-init.js')).secretsInitCommand },
  { name: 'secrets import', summary: 'adopt an existing talosctl/talhelper secrets bundle', context: 'lab+state', load: async () => (await import('./secrets-import.js')).secretsImportCommand },
  { name: 'secrets show', summary: 'print one secret an operator types at a console (the gateway password), on a terminal only', context: 'lab+state', load: async () => (await import('./secrets-show.js')).secretsShowCommand },
  { name: 'render', summary: 'render every config from the lab: Talos, talosconfig, kubeconfig, Harvester, iPXE, Tinkerbell, VyOS', context: 'lab+state', load: async () => (await import('./render.js')).renderCommand },
  { name: 'import talhelper', summary: 'turn a talhelper talconfig.yaml into lab hosts and platform cluster settings', context: 'none', load: async () => (await import('./import-talhelper.js')).importTalhelperCommand },
  { name: 'images sync', summary: 'download every image of the manifest into the verified cache (resumes, checks sha256)', context: 'lab', load: async () => (await import('./images-sync.js')).imagesSyncCommand },
  { name: 'images import', summary: 'add an image file obtained offline to the cache (checked against the manifest)', context: 'lab', load: async () => (await import('./images-import.js')).imagesImportCommand },
  { name: 'images verify', summary: 'rehash every cached image and report any whose content changed', context: 'none', load: async () => (await import('./images-verify.js')).imagesVerifyCommand },
  { name: 'images list', summary: 'show the manifest’s images, whether each is cached, and their recorded hooks', context: 'lab', load: async () => (await import('./images-list.js')).imagesListCommand },
  { name: 'images prune', summary: 'remove cached images the manifest no longer pins, and unfinished downloads', context: 'lab', load: async () => (await import('./images-prune.js')).imagesPruneCommand },
  { name: 'make-usb', summary: 'build boot media: the UM760 Talos ISO with its config embedded, or the VP6630 VyOS gateway stick', context: 'lab+state', load: async () => (await import('./make-usb.js')).makeUsbCommand },
  { name: 'media show', summary: 'print what a medium carries (Talos version, layers, embedded config with secrets redacted)', context: 'none', load: async () => (await import('./media-show.js')).mediaShowCommand },
  { name: 'media verify', summary: 'check a medium\'s structure (boot entries, ESP, UKI, layers, embedded config, sidecar hash)', context: 'none', load: async () => (await import('./media-verify.js')).mediaVerifyCommand },
  { name: 'write', summary: 'write an image to a USB stick safely: checks the device, asks, verifies by reading back', context: 'none', load: async () => (await import('./write.js')).writeCommand },
  { name: 'runbook', summary: 'write the offline runbook (Markdown + one self-contained HTML) filled with the lab’s values', context: 'lab+state', load: async () => (await import('./runbook.js')).runbookCommand },
  { name: 'next', summary: 'ask the collector where the bring-up stands and print the next step (or the stalled step’s remedy)', context: 'lab+state', load: async () => (await import('./next.js')).nextCommand },
  { name: 'bootstrap', summary: "call Talos's Bootstrap on the first platform node once (etcd starts a new cluster)", context: 'lab+state', load: async () => (await import('./bootstrap.js')).bootstrapCommand },
  { name: 'collect', summary: 'run the collector: every progress signal of the bring-up in one live view', context: 'lab+state', load: async () => (await import('./collect.js')).collectCommand },
  { name: 'pxe rearm', summary: 'let a host whose install is done install again on its next network boot (the PXE service stops sending it iPXE exit)', context: 'lab+state', load: async () => (await import('./pxe-rearm.js')).pxeRearmCommand },
  { name: 'status', summary: 'print the bring-up at a glance: phases, problems first, each host\'s stage', context: 'lab+state', load: async () => (await import('./status.js')).statusCommand },
  { name: 'events', summary: 'print one host\'s events as the collector stored them (-f follows)', context: 'lab+state', load: async () => (await import('./host-events.js')).eventsCommand },
  { name: 'logs', summary: 'print one host\'s kernel and service log (-f follows)', context: 'lab+state', load: async () => (await import('./host-events.js')).logsCommand },
  { name: 'wait', summary: 'wait until a phase (or all) is done: exit 0, or 1 on failure or timeout', context: 'lab+state', load: async () => (await import('./wait.js')).waitCommand },
  { name: 'watch', summary: 'redraw the bring-up status live in the terminal', context: 'lab+state', load: async () => (await import('./watch.js')).watchCommand },
  { name: 'rehearse', summary: 'rehearse the bring-up on this machine: the lab as VMs in network namespaces (--demo payloads)', context: 'lab+state', load: async () => (await import('./rehearse.js')).rehearseCommand },
  { name: 'apply gateway', summary: "apply the rendered VyOS config to the gateway over SSH (commit-confirm, checks, confirm)", context: 'lab+state', load: async () => (await import('./apply-gateway.js')).applyGatewayCommand },
  { name: 'check gateway', summary: 'check the running gateway against the lab (networks, VLANs, NAT, relay, DNS, BGP)', context: 'lab+state', load: async () => (await import('./check-gateway.js')).checkGatewayCommand },
  { name: 'completion', summary: 'print the bash or zsh completion script (generated from this table)', context: 'none', load: async () => (await import('./completion.js')).completionCommand },
];
