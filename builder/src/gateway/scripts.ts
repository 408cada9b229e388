/**
 * The vbash scripts builder sends to the gateway (stdin of `vbash -s`). The script template
 * makes VyOS's op-mode (`run show …`) and configure-mode commands available to a script, as
 * VyOS's command-scripting documentation shows.
 */
const TEMPLATE = 'source /opt/vyatta/etc/functions/script-template';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** An operational-mode command, read-only. */
export function showScript(command: string): string {
  return `${TEMPLATE}\nrun ${command}\nexit\n`;
}

/**
 * Replaces the running configuration with the uploaded file. Unless confirmed within the given
 * minutes, VyOS reverts to its saved configuration by itself (vyos-1x config_mgmt).
 */
export function loadScript(remotePath: string, confirmMinutes: number): string {
  return [
    TEMPLATE,
    'configure',
    `load ${quote(remotePath)} || { echo 'builder: load failed' >&2; exit 1; }`,
    // vyos-1x's commit-confirm asks "Proceed?" on stdin, which here is this script: answer it.
    `printf 'y\\n' | commit-confirm ${confirmMinutes} || { echo 'builder: commit-confirm failed' >&2; exit 1; }`,
    'exit',
    '',
  ].join('\n');
}

/** Keeps the committed configuration: cancels the pending rollback, then writes config.boot. */
export function confirmScript(): string {
  return [TEMPLATE, 'configure', "confirm || { echo 'builder: confirm failed' >&2; exit 1; }", "save || { echo 'builder: save failed' >&2; exit 1; }", 'exit', ''].join('\n');
}

/** One echo request from the gateway itself to one of its own addresses. */
export function pingScript(address: string): string {
  return `ping -c 1 -W 2 ${quote(address)}\n`;
}

/** Plain Linux commands on the gateway (vbash is bash), for state VyOS's show commands lack. */
export const RELAY_PROCESS_SCRIPT = 'ps -C dhcrelay -o args=\n';
export const UDP_LISTEN_SCRIPT = 'ss -lnuH\n';
