import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTgz, readTgz } from '../../../lib/bytes/tgz.ts';
import { vendorChart } from '../../../lib/release/vendor.ts';

const dep = { name: 'cilium', version: '1.18.9', repository: 'https://helm.cilium.io/' };

function chartArchive(name: string, version: string): Buffer {
  return createTgz([
    { path: `${name}/Chart.yaml`, content: `apiVersion: v2\nname: ${name}\nversion: ${version}\n` },
    { path: `${name}/values.yaml`, content: 'a: 1\n' },
  ]);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('vendoring from a Helm repository', () => {
  // A real HTTP Helm repository on loopback: index.yaml plus archives.
  const archive = chartArchive('cilium', '1.18.9');
  let digest = sha(archive);
  let server: Server;
  let base = '';
  /** How the chart archive is served: as is, with a Content-Length of 200 MiB, or as an endless chunked stream. */
  let serve: 'archive' | 'huge-length' | 'endless' = 'archive';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/charts/cilium-1.18.9.tgz' && serve === 'huge-length') {
        res.writeHead(200, { 'content-length': String(200 * 1024 * 1024) });
        res.write(archive);
        return;
      }
      if (req.url === '/charts/cilium-1.18.9.tgz' && serve === 'endless') {
        const chunk = Buffer.alloc(1024 * 1024);
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk)) { /* until the socket pushes back */ }
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
        return;
      }
      if (req.url === '/index.yaml') {
        res.end(`apiVersion: v1\nentries:\n  cilium:\n    - name: cilium\n      version: 1.18.9\n      digest: ${digest}\n      urls: [charts/cilium-1.18.9.tgz]\n`);
      } else if (req.url === '/charts/cilium-1.18.9.tgz') {
        res.end(archive);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('downloads the pinned version and records its digest', async () => {
    const chart = await vendorChart({ ...dep, repository: base }, { kind: 'repository' }, 'test');
    expect(chart.fileName).toBe('cilium-1.18.9.tgz');
    expect(chart.digest).toBe(`sha256:${sha(archive)}`);
    expect(chart.content.equals(archive)).toBe(true);
    expect(chart.origin).toBe(`${base}charts/cilium-1.18.9.tgz`);
  });

  it('fails when the archive does not match the digest the index states', async () => {
    digest = '0'.repeat(64);
    await expect(vendorChart({ ...dep, repository: base }, { kind: 'repository' }, 'addon cni')).rejects.toThrow(
      /^addon cni: .*cilium-1\.18\.9\.tgz has digest sha256:[0-9a-f]{64}, but the repository index states sha256:0{64}$/,
    );
    digest = sha(archive);
  });

  it('fails when the repository does not have the pinned version', async () => {
    await expect(vendorChart({ ...dep, version: '9.9.9', repository: base }, { kind: 'repository' }, 'addon cni')).rejects.toThrow('addon cni: ' + `${base}index.yaml has no chart cilium 9.9.9`);
  });

  it('refuses a chart whose Content-Length is over 100 MiB, before reading it', async () => {
    serve = 'huge-length';
    try {
      await expect(vendorChart({ ...dep, repository: base }, { kind: 'repository' }, 'addon cni')).rejects.toThrow(`addon cni: ${base}charts/cilium-1.18.9.tgz is larger than 100 MiB; refusing to download it`);
    } finally {
      serve = 'archive';
    }
  });

  it('stops reading a chart without Content-Length once it passes 100 MiB', async () => {
    serve = 'endless';
    try {
      await expect(vendorChart({ ...dep, repository: base }, { kind: 'repository' }, 'addon cni')).rejects.toThrow(`addon cni: ${base}charts/cilium-1.18.9.tgz is larger than 100 MiB; refusing to download it`);
    } finally {
      serve = 'archive';
    }
  });

  it('fails when the repository cannot be reached', async () => {
    await expect(vendorChart({ ...dep, repository: 'http://127.0.0.1:1/' }, { kind: 'repository' }, 'addon cni')).rejects.toThrow(/^addon cni: cannot download http:\/\/127\.0\.0\.1:1\/index\.yaml/);
  });
});

describe('vendoring from a local folder', () => {
  const folder = mkdtempSync(join(tmpdir(), 'vendor-'));

  it('packages a chart folder reproducibly', async () => {
    mkdirSync(join(folder, 'cilium', 'templates'), { recursive: true });
    writeFileSync(join(folder, 'cilium', 'Chart.yaml'), 'apiVersion: v2\nname: cilium\nversion: 1.18.9\n');
    writeFileSync(join(folder, 'cilium', 'templates', 'cm.yaml'), 'kind: ConfigMap\n');
    const a = await vendorChart(dep, { kind: 'folder', path: folder }, 'test');
    const b = await vendorChart(dep, { kind: 'folder', path: folder }, 'test');
    expect(a.digest).toBe(b.digest);
    expect([...(await readTgz(a.content, 'a')).keys()].sort()).toEqual(['cilium/Chart.yaml', 'cilium/templates/cm.yaml']);
  });

  it('prefers an archive <name>-<version>.tgz as is', async () => {
    const archive = chartArchive('cilium', '1.18.9');
    writeFileSync(join(folder, 'cilium-1.18.9.tgz'), archive);
    const chart = await vendorChart(dep, { kind: 'folder', path: folder }, 'test');
    expect(chart.content.equals(archive)).toBe(true);
  });

  it('fails when the chart in the folder has another version', async () => {
    const other = mkdtempSync(join(tmpdir(), 'vendor-'));
    mkdirSync(join(other, 'cilium'));
    writeFileSync(join(other, 'cilium', 'Chart.yaml'), 'apiVersion: v2\nname: cilium\nversion: 1.17.0\n');
    await expect(vendorChart(dep, { kind: 'folder', path: other }, 'test')).rejects.toThrow(`${join(other, 'cilium', 'Chart.yaml')}: is chart cilium 1.17.0, expected cilium 1.18.9`);
  });

  it('fails when the folder has no such chart', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'vendor-'));
    await expect(vendorChart(dep, { kind: 'folder', path: empty }, 'addon cni')).rejects.toThrow(`addon cni: ${empty} has neither cilium-1.18.9.tgz nor a chart folder cilium/`);
  });
});
