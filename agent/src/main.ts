import { loadAgentConfig, ConfigError } from './config/load.js';
import { startAgent } from './agent.js';

/**
 * `agent --config /etc/lab-agent/agent.yaml`: runs until SIGTERM or SIGINT. The only place that
 * calls process.exit: 0 after a clean stop, 1 when it cannot start, 2 for bad usage.
 */
const USAGE = 'usage: agent [--config PATH]   (default /etc/lab-agent/agent.yaml)';

async function main(argv: string[]): Promise<number> {
  let configPath = process.env.LAB_AGENT_CONFIG ?? '/etc/lab-agent/agent.yaml';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--config' && argv[i + 1]) configPath = argv[++i] as string;
    else if (a?.startsWith('--config=')) configPath = a.slice('--config='.length);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else {
      process.stderr.write(`agent: unknown argument ${a}\n${USAGE}\n`);
      return 2;
    }
  }
  const cfg = loadAgentConfig(configPath);
  // Listen for the stop signal before any role starts: a boot event can reach the collector (and
  // a supervisor can send SIGTERM) before startAgent resolves, and an unhandled SIGTERM kills the
  // process without stopping the roles or flushing the spool.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const agent = await startAgent(cfg);
  process.stderr.write(`agent: running roles ${cfg.roles.join(', ')}${agent.statusPort !== null ? `; status on port ${agent.statusPort}` : ''}\n`);
  // A broken client packet or a bug in one handler must not end the service for every host.
  process.on('uncaughtException', (err) => process.stderr.write(`agent: internal error (continuing): ${err.message}\n`));
  await stopped;
  await agent.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(err instanceof ConfigError ? `agent: ${err.message}\n` : `agent: cannot start: ${err.message}\n`);
    process.exit(1);
  },
);
