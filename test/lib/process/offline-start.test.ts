import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertMayConnect, LEFT_OUT_CA_ENV } from '../../../lib/process/offline-start.ts';
import { httpRequest } from '../../../lib/registry/http.ts';
import { vendorChart } from '../../../lib/release/vendor.ts';

describe('code that connects refuses to in a process started without the CA file', () => {
  // A real server on loopback that counts what reaches it.
  let requests = 0;
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(() => {
    delete process.env[LEFT_OUT_CA_ENV];
    requests = 0;
  });

  it('names the origin and the file left out, and says what to do', () => {
    expect(() => assertMayConnect('https://registry.example:5000/v2/', { [LEFT_OUT_CA_ENV]: '/etc/ca.pem' })).toThrow(
      'cannot connect to https://registry.example:5000: bin/cluster-stacks started this command without NODE_EXTRA_CA_CERTS (/etc/ca.pem), as it does for commands that make no connection; run it as `node bin/cluster-stacks.cjs …` and report this',
    );
    expect(() => assertMayConnect('https://registry.example/', {})).not.toThrow();
  });

  it('the OCI client: before any request', async () => {
    process.env[LEFT_OUT_CA_ENV] = '/etc/ca.pem';
    await expect(httpRequest({ method: 'GET', url: new URL(`${base}v2/`), headers: {}, timeoutMs: 5_000 })).rejects.toThrow(/^cannot connect to http:\/\/127\.0\.0\.1:\d+: bin\/cluster-stacks started/);
    expect(requests).toBe(0);
    delete process.env[LEFT_OUT_CA_ENV];
    expect((await httpRequest({ method: 'GET', url: new URL(`${base}v2/`), headers: {}, timeoutMs: 5_000 })).response.status).toBe(404);
    expect(requests).toBe(1);
  });

  it('vendoring from a Helm repository: before any download', async () => {
    const dep = { name: 'cilium', version: '1.18.9', repository: base };
    process.env[LEFT_OUT_CA_ENV] = '/etc/ca.pem';
    await expect(vendorChart(dep, { kind: 'repository' }, 'addon cni')).rejects.toThrow(/cannot connect to http:\/\/127\.0\.0\.1:\d+: bin\/cluster-stacks started/);
    expect(requests).toBe(0);
    delete process.env[LEFT_OUT_CA_ENV];
    await expect(vendorChart(dep, { kind: 'repository' }, 'addon cni')).rejects.toThrow(/answered HTTP 404/);
    expect(requests).toBe(1);
  });
});
