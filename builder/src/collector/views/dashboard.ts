import type { FastifyInstance } from 'fastify';
import html from './dashboard.html?raw';
// The script and the style are kept as .txt: under Vite (tests) a .js file imported with ?raw
// would be executed, and a .css one would come back empty (vitest does not process CSS).
import css from './dashboard.style.txt?raw';
import js from './dashboard.script.txt?raw';

/**
 * The dashboard: one page and its two assets, all inside the bundle (no CDN, nothing fetched
 * from anywhere but the collector). A strict CSP keeps it that way even if a template slips.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerDashboard(app: FastifyInstance): void {
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(html));
  app.get('/dashboard.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(css));
  app.get('/dashboard.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(js));
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
}
