import { randomBytes } from 'node:crypto';
import type { Lab } from '@lab/shared';
import { UserError } from '../base/index.js';
import { ConfigBootSyntaxError, diffConfig, formatDiff, isEmptyDiff, parseConfigBoot, printConfigBoot, type ConfigDiff } from '../vyos/index.js';
import type { EventReporter } from './events.js';
import { gatewayConfigBoot, placeNetworks, type GatewayLoginSecrets } from '../vyos/gateway/index.js';
import { redactPath } from './redact.js';
import { confirmScript, loadScript, parsePingResults, pingScript, showScript } from './scripts.js';
import { openGateway, type OpenOptions } from './session.js';
import type { GatewaySession } from './ssh.js';

export interface ApplyOptions extends OpenOptions {
  lab: Lab;
  secrets: GatewayLoginSecrets;
  confirmMinutes: number;
  dryRun: boolean;
  reporter: EventReporter;
  /** Progress lines for the operator (never secrets). */
  say(line: string): void;
}

export interface PostCommitCheck {
  id: string;
  ok: boolean;
  detail: string;
}

export type ApplyResult =
  | { outcome: 'dry-run' | 'unchanged'; diff: ConfigDiff }
  | { outcome: 'confirmed'; diff: ConfigDiff; checks: PostCommitCheck[] }
  | { outcome: 'not-confirmed'; diff: ConfigDiff; checks: PostCommitCheck[] };

/** The diff as printable lines, secret values masked. */
export function diffLines(diff: ConfigDiff): string[] {
  return formatDiff({
    added: diff.added.map(redactPath),
    removed: diff.removed.map(redactPath),
    changed: diff.changed.map((c) =>
      redactPath({ path: c.path, value: c.to }).value === '<secret>' ? { path: c.path, from: '<secret>', to: '<secret>' } : c,
    ),
  });
}

/**
 * `show configuration` may print secret values masked as asterisks; such a value cannot be
 * compared, so it does not count as a change (the configuration loaded still sets it).
 */
function withoutMaskedValues(diff: ConfigDiff): ConfigDiff {
  return { ...diff, changed: diff.changed.filter((c) => !/^\*+$/.test(c.from)) };
}

async function fetchRunning(session: GatewaySession) {
  const r = await session.run(showScript('show configuration'));
  if (r.code !== 0) throw new UserError('ERR_GATEWAY_SHOW_FAILED', `the gateway did not show its configuration (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`, 'log in on the gateway console and check `show configuration` works');
  try {
    return parseConfigBoot(r.stdout, 'running configuration').nodes;
  } catch (err) {
    if (err instanceof ConfigBootSyntaxError) throw new UserError('ERR_GATEWAY_RUNNING_CONFIG_UNREADABLE', `cannot read the gateway's running configuration: ${err.message}`, 'report this output; the gateway may run an unexpected VyOS version');
    throw err;
  }
}

/**
 * `builder apply gateway`: diff, then (unless a dry run) upload, load + commit-confirm, check
 * from the gateway itself, and only when every check passes confirm + save. A failed check
 * leaves the commit unconfirmed, so VyOS rolls it back by itself.
 */
export async function applyGateway(opts: ApplyOptions): Promise<ApplyResult> {
  const { lab, say, reporter } = opts;
  const file = gatewayConfigBoot(lab, opts.secrets);
  const text = printConfigBoot(file, { quoteLeaves: 'always' });
  const scrub = (s: string) => s.split(opts.secrets.login.passwordHash).join('<secret>');

  const session = await openGateway({ ...opts, onPinned: (p, k) => say(`pinned the gateway's host key for ${p}: ${k.type} ${k.fingerprint}`) });
  let diff: ConfigDiff;
  try {
    await reporter.report('gateway.apply.connected', { target: `${opts.target.host}:${opts.target.port}`, hostKey: session.hostKey.fingerprint });
    diff = withoutMaskedValues(diffConfig(await fetchRunning(session), file.nodes));
    const lines = diffLines(diff);
    await reporter.report('gateway.apply.diff', { added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length });
    if (isEmptyDiff(diff)) {
      say('the gateway already runs the configuration the lab describes; nothing to apply');
      say('(if an earlier apply was left unconfirmed, its commit still reverts when its timer ends)');
      return { outcome: 'unchanged', diff };
    }
    say(`changes from the running configuration to the lab's (${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed):`);
    for (const l of lines) say(`  ${l}`);
    if (opts.dryRun) {
      say('--dry-run: stopping here; nothing was changed on the gateway');
      await reporter.report('gateway.apply.dry-run', {});
      return { outcome: 'dry-run', diff };
    }

    const remote = `/tmp/builder-gateway-${randomBytes(6).toString('hex')}.boot`;
    await session.upload(remote, text, 0o600);
    await reporter.report('gateway.apply.uploaded', { path: remote, bytes: Buffer.byteLength(text) });
    say(`uploaded the configuration to ${remote}; loading it with commit-confirm ${opts.confirmMinutes}`);
    const commit = await session.run(loadScript(remote, opts.confirmMinutes));
    await session.remove(remote).catch(() => undefined);
    if (commit.code !== 0) {
      await reporter.report('gateway.apply.failed', { step: 'commit', exitCode: commit.code });
      const why = scrub(`${commit.stderr}\n${commit.stdout}`).trim().split('\n').slice(-5).join('\n    ');
      throw new UserError('ERR_GATEWAY_COMMIT_REFUSED', `the gateway refused the configuration (load/commit-confirm exit ${commit.code}); nothing was committed:\n    ${why}`, 'fix what the gateway reports in the lab file, then `builder render` and apply again');
    }
    await reporter.report('gateway.apply.committed', { confirmMinutes: opts.confirmMinutes });
  } finally {
    session.close();
  }

  say('committed; checking the gateway before confirming');
  const checks = await postCommitChecks(opts);
  for (const c of checks) {
    say(`  ${c.ok ? '[ok]  ' : '[FAIL]'} ${c.detail}`);
    await reporter.report('gateway.apply.check', { check: c.id, ok: c.ok });
  }
  if (checks.some((c) => !c.ok)) {
    await reporter.report('gateway.apply.failed', { step: 'check', failed: checks.filter((c) => !c.ok).map((c) => c.id), rollbackMinutes: opts.confirmMinutes });
    say(`not confirmed: within ${opts.confirmMinutes} min the gateway reverts by itself to its saved configuration (commit-confirm)`);
    return { outcome: 'not-confirmed', diff, checks };
  }

  const again = await openGateway(opts);
  try {
    const r = await again.run(confirmScript());
    if (r.code !== 0) {
      await reporter.report('gateway.apply.failed', { step: 'confirm', exitCode: r.code });
      throw new UserError('ERR_GATEWAY_CONFIRM_FAILED', `the gateway did not accept confirm/save (exit ${r.code}): ${scrub(r.stderr).trim().split('\n').slice(-1)[0] ?? ''}`, `it rolls back within ${opts.confirmMinutes} min; log in on the console to confirm by hand if the new configuration is right`);
    }
  } finally {
    again.close();
  }
  await reporter.report('gateway.apply.confirmed', {});
  say('confirmed and saved: the gateway keeps the new configuration');
  return { outcome: 'confirmed', diff, checks };
}

/** After the commit: a fresh SSH login works, and each network's gateway address answers a ping sent by the gateway itself. */
async function postCommitChecks(opts: ApplyOptions): Promise<PostCommitCheck[]> {
  const checks: PostCommitCheck[] = [];
  let session: GatewaySession;
  try {
    session = await openGateway(opts);
  } catch (err) {
    return [{ id: 'ssh', ok: false, detail: `SSH to the gateway after the commit: ${(err as Error).message}` }];
  }
  checks.push({ id: 'ssh', ok: true, detail: `SSH to ${opts.target.host}:${opts.target.port} still works` });
  try {
    const targets = placeNetworks(opts.lab, opts.lab.gateway!).filter((p) => p.address);
    const ips = targets.map((p) => p.address!.split('/')[0]!);
    const r = await session.run(pingScript(ips), 10_000 + 3_000 * ips.length).catch((e: Error) => ({ code: 255, stdout: '', stderr: e.message }));
    const results = parsePingResults(r.stdout);
    targets.forEach((p, i) => {
      const code = results.get(ips[i]!);
      const ok = code === 0;
      checks.push({ id: `ping:${p.network.name}`, ok, detail: `${p.network.name} gateway ${ips[i]} on ${p.interface} answers${ok ? '' : code === undefined ? ' — no result' : ' — no answer'}` });
    });
  } finally {
    session.close();
  }
  return checks;
}
