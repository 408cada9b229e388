/**
 * Where things live on the gateway stick and on the booted VyOS live system. live-boot mounts
 * the stick on /run/live/medium, also reachable as /usr/lib/live/mount/medium (the path VyOS's
 * own installer reads live/filesystem.squashfs from).
 */
export const MEDIUM = '/usr/lib/live/mount/medium';
/** Directory on the stick with everything this tool adds. */
export const LAB_DIR = 'lab';
export const onMedium = (path: string) => `${MEDIUM}/${LAB_DIR}/${path}`;

/** live-boot module selected by the lab entry (`module=lab` reads live/lab.module). */
export const LIVE_MODULE = 'lab';
/** The extra read-only layer, relative to live/. live-boot mounts only images named .squashfs,
 * .ext2/3/4 or .jffs2 (get_backing_device panics on other names), and its default glob does not
 * look into subdirectories: so a squashfs in live/lab/ is stacked by the lab entry only. */
export const LAYER_NAME = 'lab/lab-agent.squashfs';

export const AGENT_UNIT = 'lab-agent.service';
export const AGENT_EXE = 'agent/lab-agent';
export const AGENT_BUNDLE = 'agent/agent.cjs';
export const SPOOL_DIR = '/var/lib/lab-agent/spool';
