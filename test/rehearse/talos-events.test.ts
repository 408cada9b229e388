import { describe, expect, it } from 'vitest';
import { grpcFrame, installedEvents, installFailedEvents, isoBootEvents } from '../../builder/src/rehearse/index.js';
import { readyEvents, registeredEvents } from '../../builder/src/rehearse/payload/talos-events.js';
import { decodeEventRequest, mapTalosMessage } from '../../builder/src/collector/ingest/talos-events.js';
import { classifyEvent } from '@lab/shared';

// The demo Talos node's events are encoded on the host and sent byte for byte by curl; here the
// collector's own decoder (field numbers from Talos's machine.proto) reads them back. What this
// does not show: that real Talos sends these bytes — the order is the one DESIGN.md records from
// Talos v1.12's sequencer, and ids are demo strings, not rs/xids.
function decode(frame: Buffer) {
  expect(frame[0]).toBe(0); // not compressed
  expect(frame.readUInt32BE(1)).toBe(frame.length - 5);
  const req = decodeEventRequest(frame.subarray(5));
  return { req, mapped: mapTalosMessage(req.type, req.payload) };
}

describe('the demo Talos node event stream', () => {
  const all = [...isoBootEvents('cp-1', ['10.10.30.10']), ...installedEvents('cp-1', ['10.10.30.10'])];

  it('is EventRequests with machine.* Any type URLs that the collector decodes', () => {
    const { req, mapped } = decode(grpcFrame(all[2]!, 'demo-x-cp-1-02'));
    expect(req.typeUrl).toBe('type.googleapis.com/machine.AddressEvent');
    expect(req.id).toBe('demo-x-cp-1-02');
    expect(mapped).toMatchObject({ kind: 'talos.address', hostname: 'cp-1', attrs: { addresses: ['10.10.30.10'] } });
  });

  it('walks the stages of an ISO boot that installs, kexecs and runs from disk, in that order', () => {
    const stages = all.map((e, i) => decode(grpcFrame(e, `demo-${i}`)).mapped).map((m) => classifyEvent({ source: 'talos', kind: m.kind, attrs: m.attrs })?.stage).filter(Boolean);
    expect(stages.filter((s, i) => s !== stages[i - 1])).toEqual(['booted', 'installing', 'rebooting', 'booted', 'installed']);
    const kinds = all.map((e) => decode(grpcFrame(e, 'demo')).mapped);
    expect(kinds.find((m) => m.kind === 'talos.restart')!.attrs.how).toBe('kexec');
    // The FATAL NOOP with unix.Reboot is Talos saying it reboots, not an error.
    expect(kinds.find((m) => m.kind === 'talos.sequence' && m.attrs.action === 'NOOP')!.attrs).toMatchObject({ errorCode: 'FATAL', reboot: expect.stringContaining('unix.Reboot(0x45584543)') });
    expect(kinds.at(-2)).toMatchObject({
      kind: 'talos.stage',
      attrs: {
        stage: 'RUNNING',
        ready: false,
        unmet: [
          { name: 'services', reason: 'etcd not running' },
          { name: 'nodeReady', reason: 'node "cp-1" status is not available yet' },
        ],
      },
    });
  });

  it('after Bootstrap says the Node is not ready yet, then ready (machine_status.go nodeReady)', () => {
    expect(registeredEvents('cp-1').map((e) => decode(grpcFrame(e, 'demo')).mapped)).toEqual([expect.objectContaining({ kind: 'talos.stage', attrs: expect.objectContaining({ stage: 'RUNNING', ready: false, unmet: [{ name: 'nodeReady', reason: 'node "cp-1" is not ready' }] }) })]);
    expect(readyEvents().map((e) => decode(grpcFrame(e, 'demo')).mapped)).toEqual([expect.objectContaining({ kind: 'talos.stage', attrs: expect.objectContaining({ stage: 'RUNNING', ready: true }) })]);
  });

  it('reports a failed install sequence when no disk matches', () => {
    const m = installFailedEvents('no disk (demo)').map((e) => decode(grpcFrame(e, 'demo')).mapped);
    expect(m.at(-1)).toMatchObject({ kind: 'talos.sequence', attrs: { sequence: 'install', action: 'STOP', errorCode: 'FATAL', error: 'no disk (demo)' } });
    expect(classifyEvent({ source: 'talos', kind: m.at(-1)!.kind, attrs: m.at(-1)!.attrs })?.stage).toBe('failed');
  });
});
