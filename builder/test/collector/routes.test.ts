import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, collectorFixture, ev, TOKEN } from './helpers.js';

type Fixture = ReturnType<typeof collectorFixture>;

describe('collector HTTP routes (app.inject, real SQLite)', () => {
  let f: Fixture;
  beforeEach(() => {
    f = collectorFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('stores a batch and moves the host to the stage its events prove', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [ev({ host: 'cp-1', kind: 'boot' })] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stored: 1, duplicates: 0 });
    const status = (await f.app.inject({ method: 'GET', url: '/v1/status', remoteAddress: '127.0.0.1' })).json();
    expect(status.hosts.find((h: { name: string }) => h.name === 'cp-1').stage).toBe('booted');
  });

  it('accepts a single event without the batch wrapper', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: ev({ host: 'gateway', kind: 'boot' }) });
    expect(res.statusCode).toBe(200);
    expect(f.store.count()).toBe(1);
  });

  it('maps a MAC-only PXE event to its lab host', async () => {
    await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [ev({ mac: '02:00:00:00:02:02', source: 'pxe', kind: 'dhcp.discover' })] } });
    const [stored] = f.store.list({ limit: 10 });
    expect(stored?.host).toBe('ms02-2');
    expect(f.hub.status().hosts.find((h) => h.name === 'ms02-2')?.stage).toBe('pxe-dhcp');
  });

  it('keeps an unknown MAC and reports it as a problem', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [ev({ mac: 'aa:bb:cc:00:11:22', source: 'pxe', kind: 'dhcp.discover' })] } });
    expect(res.statusCode).toBe(200);
    const p = f.hub.status().problems.find((x) => x.kind === 'unknown-mac');
    expect(p?.reason).toContain('aa:bb:cc:00:11:22');
  });

  it('stores a replayed id once', async () => {
    const e = ev({ host: 'cp-1', kind: 'boot' });
    const first = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [e] } });
    const again = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [e, e] } });
    expect(first.json()).toEqual({ stored: 1, duplicates: 0 });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ stored: 0, duplicates: 2 });
    expect(f.store.count()).toBe(1);
  });

  it('commits concurrent batches together and still answers each one for its own events', async () => {
    const shared = ev({ host: 'cp-1', kind: 'note' });
    const batches = Array.from({ length: 6 }, (_, i) => [shared, ...Array.from({ length: 20 }, () => ev({ host: i % 2 ? 'cp-1' : 'gateway', kind: 'note' }))]);
    const answers = await Promise.all(batches.map((events) => f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events } })));
    const bodies = answers.map((a) => a.json() as { stored: number; duplicates: number });
    expect(bodies.reduce((n, b) => n + b.stored, 0)).toBe(6 * 20 + 1);
    expect(bodies.reduce((n, b) => n + b.duplicates, 0)).toBe(5);
    expect(bodies.every((b) => b.stored + b.duplicates === 21)).toBe(true);
    expect(f.store.count()).toBe(6 * 20 + 1);
  });

  describe('bad input', () => {
    it('refuses a missing token with 401 and stores nothing', async () => {
      const res = await f.app.inject({ method: 'POST', url: '/v1/events', payload: { events: [ev({ host: 'cp-1', kind: 'boot' })] } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(f.store.count()).toBe(0);
    });

    it('refuses a wrong token (also one of another length) and never echoes it', async () => {
      for (const bad of [`${TOKEN.slice(0, -1)}x`, 'short', `${TOKEN}${TOKEN}`]) {
        const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${bad}` }, payload: { events: [ev({ host: 'cp-1', kind: 'boot' })] } });
        expect(res.statusCode).toBe(401);
        expect(res.body).not.toContain(bad);
        expect(res.body).not.toContain(TOKEN);
      }
      expect(f.store.count()).toBe(0);
    });

    it('answers malformed JSON with 400, without a stack trace', async () => {
      const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"events": [' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('malformed-json');
      expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
    });

    it('names the field of a schema error', async () => {
      const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [ev({ host: 'cp-1', kind: 'boot' }), { ...ev({ host: 'cp-1', kind: 'boot' }), time: 42 }] } });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.error).toBe('invalid-event');
      expect(body.problems.map((p: { field: string }) => p.field)).toContain('events[1].time');
      expect(f.store.count()).toBe(0);
    });

    it('names wrong types: source not in the protocol, kind with capitals, attrs not an object', async () => {
      const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [{ ...ev({ host: 'cp-1', kind: 'Boot' }), source: 'nobody', attrs: [1] }] } });
      expect(res.statusCode).toBe(400);
      const fields = res.json().problems.map((p: { field: string }) => p.field);
      expect(fields).toEqual(expect.arrayContaining(['events[0].source', 'events[0].kind', 'events[0].attrs']));
    });

    it('refuses an empty batch and one over the limit', async () => {
      const empty = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [] } });
      expect(empty.statusCode).toBe(400);
      const many = Array.from({ length: 1001 }, () => ev({ host: 'cp-1', kind: 'x' }));
      const over = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: many } });
      expect(over.statusCode).toBe(400);
      expect(over.json().message).toContain('events');
    });

    it('answers a huge body with 413', async () => {
      const huge = JSON.stringify({ events: [{ ...ev({ host: 'cp-1', kind: 'boot' }), attrs: { blob: 'x'.repeat(5 * 1024 * 1024) } }] });
      const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/json' }, payload: huge });
      expect(res.statusCode).toBe(413);
      expect(res.json().error).toBe('body-too-large');
      expect(f.store.count()).toBe(0);
    });

    it('answers an unknown host with 422 naming it, and stores nothing of the batch', async () => {
      const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [ev({ host: 'cp-1', kind: 'boot' }), ev({ host: 'ms02-9', kind: 'boot' })] } });
      expect(res.statusCode).toBe(422);
      expect(res.json().message).toContain('events[1].host: "ms02-9" is not a host of the lab');
      expect(f.store.count()).toBe(0);
    });

    it('refuses a non-JSON content type with 415', async () => {
      const res = await f.app.inject({ method: 'POST', url: '/v1/events', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<events/>' });
      expect(res.statusCode).toBe(415);
    });

    it('keeps serving after all of the above', async () => {
      await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: 'nonsense' });
      const ok = await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [ev({ host: 'cp-1', kind: 'boot' })] } });
      expect(ok.statusCode).toBe(200);
    });
  });

  describe('reads', () => {
    it('pages events per host with a since cursor', async () => {
      const events = Array.from({ length: 25 }, (_, i) => ev({ host: i % 2 ? 'cp-1' : 'gateway', kind: 'note' }));
      await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events } });
      const seen: string[] = [];
      let since = 0;
      for (let guard = 0; guard < 10; guard++) {
        const page = (await f.app.inject({ method: 'GET', url: `/v1/events?host=cp-1&since=${since}&limit=5`, remoteAddress: '127.0.0.1' })).json();
        seen.push(...page.events.map((e: { id: string; host: string }) => (expect(e.host).toBe('cp-1'), e.id)));
        since = page.next;
        if (!page.more) break;
      }
      expect(seen).toEqual(events.filter((e) => e.host === 'cp-1').map((e) => e.id));
    });

    it('gives the last events of a host with tail=', async () => {
      const events = Array.from({ length: 12 }, () => ev({ host: 'cp-1', kind: 'note' }));
      await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events } });
      const page = (await f.app.inject({ method: 'GET', url: '/v1/events?host=cp-1&tail=5', remoteAddress: '127.0.0.1' })).json();
      expect(page.events.map((e: { id: string }) => e.id)).toEqual(events.slice(-5).map((e) => e.id));
      // Without host=: the last events of the whole lab (the dashboard's recent history on open).
      const all = (await f.app.inject({ method: 'GET', url: '/v1/events?tail=3', remoteAddress: '127.0.0.1' })).json();
      expect(all.events.map((e: { id: string }) => e.id)).toEqual(events.slice(-3).map((e) => e.id));
    });

    it('answers bad query values with 400', async () => {
      for (const q of ['since=-1', 'since=abc', 'limit=0', 'limit=5000', 'host=nope', 'tail=5&since=1', 'host=cp-1&tail=0', 'host=cp-1&tail=3&since=1']) {
        const res = await f.app.inject({ method: 'GET', url: `/v1/events?${q}`, remoteAddress: '127.0.0.1' });
        expect(res.statusCode, q).toBe(400);
      }
    });

    it('needs the token for reads from another machine', async () => {
      const far = await f.app.inject({ method: 'GET', url: '/v1/status', remoteAddress: '10.10.10.50' });
      expect(far.statusCode).toBe(401);
      const withToken = await f.app.inject({ method: 'GET', url: '/v1/status', remoteAddress: '10.10.10.50', headers: auth });
      expect(withToken.statusCode).toBe(200);
    });

    it('serves Prometheus metrics with stage gauges and counters', async () => {
      await f.app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: { events: [ev({ host: 'cp-1', kind: 'boot' })] } });
      await f.app.inject({ method: 'POST', url: '/v1/events', payload: {} });
      const text = (await f.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).body;
      expect(text).toContain('collector_events_ingested_total{via="http"} 1');
      expect(text).toContain('collector_requests_rejected_total{reason="auth"} 1');
      expect(text).toContain('collector_host_stage{host="cp-1",stage="booted"} 1');
      expect(text).toContain('collector_host_stage{host="cp-1",stage="expected"} 0');
    });

    it('serves the dashboard with a self-only content security policy', async () => {
      const res = await f.app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.body).toContain('/dashboard.js');
      expect(res.body).not.toMatch(/https?:\/\//);
    });
  });

  describe('Harvester webhooks', () => {
    it('turns STARTED / SUCCEEDED into installing / rebooting (SUCCEEDED comes before the reboot), host from the payload', async () => {
      const started = await f.app.inject({ method: 'POST', url: '/v1/webhooks/harvester', headers: { ...auth, 'content-type': 'text/plain' }, payload: JSON.stringify({ event: 'STARTED', hostname: 'ms02-1', mac: '02:00:00:00:02:01' }) });
      expect(started.statusCode).toBe(200);
      expect(f.hub.status().hosts.find((h) => h.name === 'ms02-1')?.stage).toBe('installing');
      await f.app.inject({ method: 'POST', url: '/v1/webhooks/harvester?event=SUCCEEDED&host=ms02-1', headers: auth });
      expect(f.hub.status().hosts.find((h) => h.name === 'ms02-1')?.stage).toBe('rebooting');
    });

    it('finds the host by MAC and marks FAILED as a failed stage with a remedy', async () => {
      await f.app.inject({ method: 'POST', url: '/v1/webhooks/harvester?event=FAILED', headers: auth, payload: { mac: '02-00-00-00-02-03' } });
      const h = f.hub.status().hosts.find((x) => x.name === 'ms02-3');
      expect(h?.stage).toBe('failed');
      expect(h?.problem?.remedy).toBe('install-failed');
    });

    it('stores a retried webhook once', async () => {
      for (let i = 0; i < 2; i++) await f.app.inject({ method: 'POST', url: '/v1/webhooks/harvester?event=STARTED&host=ms02-2', headers: auth });
      expect(f.store.count()).toBe(1);
    });

    it('refuses unknown events, unknown hosts and missing tokens', async () => {
      expect((await f.app.inject({ method: 'POST', url: '/v1/webhooks/harvester?event=DONE&host=ms02-2', headers: auth })).statusCode).toBe(400);
      expect((await f.app.inject({ method: 'POST', url: '/v1/webhooks/harvester?event=STARTED&host=ms02-9', headers: auth })).statusCode).toBe(422);
      expect((await f.app.inject({ method: 'POST', url: '/v1/webhooks/harvester?event=STARTED', headers: auth })).statusCode).toBe(422);
      expect((await f.app.inject({ method: 'POST', url: '/v1/webhooks/harvester?event=STARTED&host=ms02-2' })).statusCode).toBe(401);
      expect(f.store.count()).toBe(0);
    });
  });
});
