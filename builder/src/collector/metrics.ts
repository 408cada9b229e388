import type { GenesisStatus } from '@lab/shared';
import { STAGE_IDS } from '@lab/shared';

/** Counters for `/metrics` (Prometheus text format 0.0.4). */
export class Metrics {
  private readonly ingested = new Map<string, number>();
  private readonly duplicates = new Map<string, number>();
  private readonly rejected = new Map<string, number>();
  sseClients = 0;

  countIngest(via: string, inserted: number, duplicates: number): void {
    this.ingested.set(via, (this.ingested.get(via) ?? 0) + inserted);
    this.duplicates.set(via, (this.duplicates.get(via) ?? 0) + duplicates);
  }

  countRejected(reason: string, n = 1): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + n);
  }

  render(status: GenesisStatus, storedEvents: number): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, label: string, values: Map<string, number>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [k, v] of values) lines.push(`${name}{${label}="${esc(k)}"} ${v}`);
    };
    counter('collector_events_ingested_total', 'Events stored, by ingest path.', 'via', this.ingested);
    counter('collector_events_duplicate_total', 'Events received again with an id already stored.', 'via', this.duplicates);
    counter('collector_requests_rejected_total', 'Requests or messages refused, by reason.', 'reason', this.rejected);
    lines.push('# HELP collector_events_stored Events in the store.', '# TYPE collector_events_stored gauge', `collector_events_stored ${storedEvents}`);
    lines.push('# HELP collector_sse_clients Connected live-stream clients.', '# TYPE collector_sse_clients gauge', `collector_sse_clients ${this.sseClients}`);
    lines.push('# HELP collector_host_stage 1 for the stage each lab host is in.', '# TYPE collector_host_stage gauge');
    for (const h of status.hosts) {
      for (const s of STAGE_IDS) lines.push(`collector_host_stage{host="${esc(h.name)}",stage="${s}"} ${h.stage === s ? 1 : 0}`);
    }
    lines.push('# HELP collector_host_stalled 1 when the host has a problem (stalled or failed).', '# TYPE collector_host_stalled gauge');
    for (const h of status.hosts) lines.push(`collector_host_stalled{host="${esc(h.name)}"} ${h.problem ? 1 : 0}`);
    lines.push('# HELP collector_phase_done 1 when the phase is done.', '# TYPE collector_phase_done gauge');
    for (const p of status.phases) lines.push(`collector_phase_done{phase="${p.id}"} ${p.state === 'done' ? 1 : 0}`);
    const mem = process.memoryUsage();
    lines.push('# HELP collector_memory_rss_bytes Resident set size.', '# TYPE collector_memory_rss_bytes gauge', `collector_memory_rss_bytes ${mem.rss}`);
    lines.push('# HELP collector_memory_heap_used_bytes V8 heap in use.', '# TYPE collector_memory_heap_used_bytes gauge', `collector_memory_heap_used_bytes ${mem.heapUsed}`);
    return `${lines.join('\n')}\n`;
  }
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
