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

/**
 * One echo request from the gateway itself to each of its own addresses, in one script; each
 * prints `ping ADDRESS EXIT` (0 = answered).
 */
export function pingScript(addresses: readonly string[]): string {
  return addresses.map((a) => `ping -c 1 -W 2 ${quote(a)} >/dev/null 2>&1; echo "ping ${a} $?"\n`).join('');
}

/** Exit codes by address from pingScript's output (missing = no result). */
export function parsePingResults(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stdout.matchAll(/^ping (\S+) (\d+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/**
 * Everything `check gateway` reads, in one script: VyOS show commands, and plain Linux commands
 * (vbash is bash) for state the show commands lack — the dhcrelay command line and the UDP
 * listeners. Each section starts with a `### name` line.
 */
export function observeScript(withBgp: boolean): string {
  const sections: [string, string][] = [
    ['interfaces', 'run show interfaces'],
    ['nat', 'run show nat source rules'],
    ['relay', 'ps -C dhcrelay -o args='],
    ['udp', 'ss -lnuH'],
    ...(withBgp ? ([['bgp', 'run show ip bgp summary']] as [string, string][]) : []),
  ];
  return [TEMPLATE, ...sections.flatMap(([name, cmd]) => [`echo '### ${name}'`, cmd]), 'exit', ''].join('\n');
}

/** Splits observeScript's output into its sections. */
export function splitSections(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (name !== undefined) out.set(name, lines.join('\n'));
  };
  for (const line of stdout.split('\n')) {
    const m = /^### (\w+)$/.exec(line);
    if (m) {
      flush();
      name = m[1]!;
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}
