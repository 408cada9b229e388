import { describe, expect, test } from 'vitest';
import { statePathsFor } from '../../src/state/index.js';
import { collectorContext } from '../../src/cli/collector-flags.js';

describe('state paths from --lab and --state', () => {
  test('relative flags resolve against the working directory; the state sits beside the lab', () => {
    const p = statePathsFor({ lab: 'labs/a/lab.yaml' }, '/work/ops');
    expect(p.root).toBe('/work/ops/labs/a/state');
    expect(p.collectorDb).toBe('/work/ops/labs/a/state/collector/events.db');
    expect(statePathsFor({ lab: 'lab.yaml', state: '../st' }, '/work/ops').root).toBe('/work/st');
  });

  test('absolute flags stay absolute (the collector once put its database under the working directory)', async () => {
    expect(statePathsFor({ lab: '/srv/lab/lab.yaml' }, '/work/ops').root).toBe('/srv/lab/state');
    expect(statePathsFor({ lab: 'x.yaml', state: '/var/lib/lab' }, '/work/ops').root).toBe('/var/lib/lab');
    const example = `${process.cwd()}/examples/genesis/lab.yaml`;
    const ctx = await collectorContext({ lab: example }, '/tmp');
    expect(ctx.paths.root).toBe(`${process.cwd()}/examples/genesis/state`);
  });

  test('the default lab file is the example', () => {
    expect(statePathsFor({}, '/r').root).toBe('/r/examples/genesis/state');
  });
});
