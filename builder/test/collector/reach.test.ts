import { describe, expect, it } from 'vitest';
import { reachabilityWarnings } from '../../src/collector/reach.js';

describe('collect warns when the lab cannot reach it', () => {
  it('says when collector.url is not an address of this machine', () => {
    const w = reachabilityWarnings('http://10.10.10.5:8080', '0.0.0.0', ['127.0.0.1', '192.0.2.7']);
    expect(w).toEqual([expect.stringContaining('report to 10.10.10.5 (collector.url), which is not an address of this machine (it has 127.0.0.1, 192.0.2.7)')]);
  });

  it('says when the listen address does not cover it', () => {
    const w = reachabilityWarnings('http://10.10.10.5:8080', '127.0.0.1', ['127.0.0.1', '10.10.10.5']);
    expect(w).toEqual([expect.stringContaining('listening on 127.0.0.1, but the lab\'s hosts report to 10.10.10.5')]);
    expect(w[0]).toContain('--listen 10.10.10.5:PORT');
  });

  it('is quiet when the machine has the address and listens on it or on every address', () => {
    expect(reachabilityWarnings('http://10.10.10.5:8080', '0.0.0.0', ['10.10.10.5'])).toEqual([]);
    expect(reachabilityWarnings('http://10.10.10.5:8080', '10.10.10.5', ['10.10.10.5'])).toEqual([]);
  });
});
