import { startDemoApid, type DemoApid, type MachineState } from '../../builder/src/rehearse/demo-apis/index.js';
import type { ServerCert } from './lab-credentials.js';

/**
 * The product's demo apid (builder/src/rehearse/demo-apis/apid.ts: grpc-js, mutual TLS, Talos's
 * wire format) answering from a mutable state object the test drives, instead of from a demo
 * node's machined. What it does not model is said there.
 */

export interface ApidState extends MachineState {
  bootstrapCalls: number;
  /** The node is not up (or apid not started): every call fails UNAVAILABLE. */
  down?: boolean;
  /** What Bootstrap does to the state (the etcd service starts). */
  onBootstrap?: (s: ApidState) => void;
}

export type StandinApid = DemoApid;

export function startStandinApid(state: ApidState, osCa: Buffer, cert: ServerCert): Promise<StandinApid> {
  return startDemoApid(
    {
      machine: async () => (state.down ? undefined : state),
      bootstrap: async () => {
        state.bootstrapCalls += 1;
        state.onBootstrap?.(state);
        return undefined;
      },
    },
    osCa,
    cert,
  );
}
