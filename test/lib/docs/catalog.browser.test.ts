import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replaceTree } from '../../../lib/bytes/atomic-write.ts';
import { CATALOG_TABLE_ID, CATALOG_TITLE } from '../../../lib/docs/catalog.ts';
import { docsTree, type DocsSource } from '../../../lib/docs/generate.ts';
import { shippedSources } from './fixture.ts';

// The generated HTML as a person sees it: headless Chromium from Debian's
// package, the docs served over HTTP from 127.0.0.1. This test never skips:
// without the browser it fails and says how to install it.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.md': 'text/markdown; charset=utf-8', '.png': 'image/png' };

const temps: string[] = [];
let sources: readonly DocsSource[];
let server: Server;
let base: string;
let context: BrowserContext;
let page: Page;
/** Every URL the browser requested, to prove nothing left the machine. */
const requested: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** A static file server for `root`; anything outside it or missing is a 404. */
function serve(root: string): Promise<Server> {
  const s = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolveServer, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolveServer(s));
  });
}

/** Absolute URLs of every link on the page, resolved as the browser would. */
async function hrefsOn(p: Page): Promise<string[]> {
  const attributes = await Promise.all((await p.locator('a[href]').all()).map((a) => a.getAttribute('href')));
  return attributes.map((h) => new URL(h ?? '', p.url()).href);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: this test needs Debian's Chromium (apt-get install -y chromium); it does not skip`);
  }
  sources = shippedSources();
  const docs = join(tempDir('docs-browser-'), 'docs');
  replaceTree(docs, docsTree(sources), 'docs');
  server = await serve(docs);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Playwright sets --user-data-dir itself (and refuses it in `args`), so a
  // fresh profile folder is passed the way it accepts: a persistent context.
  context = await chromium.launchPersistentContext(tempDir('docs-chromium-profile-'), {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  context.on('request', (r) => requested.push(r.url()));
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('HTML catalog in headless Chromium', () => {
  it('renders: title, heading and one row per bundle naming its ClusterClass', async () => {
    const response = await page.goto(`${base}/index.html`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe(CATALOG_TITLE);
    expect(await page.locator('h1').innerText()).toBe(CATALOG_TITLE);
    const rows = page.locator(`#${CATALOG_TABLE_ID} tbody tr`);
    expect(await rows.count()).toBe(sources.length);
    for (const [i, s] of sources.entries()) {
      expect(await rows.nth(i).locator('td').nth(2).innerText()).toBe(s.bundle.clusterClassName);
      expect(await rows.nth(i).locator('td').nth(2).isVisible()).toBe(true);
    }
  });

  it('resolves every link: HTTP 200 for each href, and #fragments exist on the target page', async () => {
    await page.goto(`${base}/index.html`);
    const hrefs = await hrefsOn(page);
    expect(hrefs.length).toBeGreaterThanOrEqual(sources.length * 3);
    for (const href of [...new Set(hrefs)]) {
      const url = new URL(href);
      expect(url.origin, `${href} leaves the docs`).toBe(base);
      const response = await page.request.get(`${url.origin}${url.pathname}`);
      expect(response.status(), href).toBe(200);
      if (url.hash !== '') {
        const target = await context.newPage();
        await target.goto(href);
        expect(await target.locator(url.hash).count(), `${href}: no element ${url.hash}`).toBe(1);
        await target.close();
      }
    }
  });

  it('renders every stack page with its ClusterClass, variables table and example, and its local links resolve', async () => {
    for (const s of sources) {
      const response = await page.goto(`${base}/${s.bundle.path}.html`);
      expect(response?.status(), s.bundle.path).toBe(200);
      expect(await page.locator('h1').innerText()).toBe(s.bundle.clusterClassName);
      expect(await page.locator('#variables-table tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('pre code.language-yaml').first().innerText()).toContain(`class: ${s.bundle.clusterClassName}`);
      const hrefs = await hrefsOn(page);
      for (const href of hrefs.filter((h) => h.startsWith(base))) {
        expect((await page.request.get(href.split('#')[0])).status(), `${s.bundle.path}: ${href}`).toBe(200);
      }
    }
  });

  it('requests nothing but the local server (no external resources)', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((u) => !u.startsWith(base))).toEqual([]);
  });

  it('takes a screenshot: a non-empty PNG', async () => {
    await page.goto(`${base}/index.html`);
    // DOCS_SCREENSHOT_DIR keeps the picture for a person to look at; otherwise it goes with the temp folder.
    const dir = process.env.DOCS_SCREENSHOT_DIR ?? tempDir('docs-screenshot-');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'catalog.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(png.length).toBeGreaterThan(0);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    if (process.env.DOCS_SCREENSHOT_DIR) {
      await page.goto(`${base}/openstack/scs/1-34.html`);
      await page.screenshot({ path: join(dir, 'openstack-scs-1-34.png'), fullPage: false });
    }
  });
});
