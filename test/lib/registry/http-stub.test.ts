import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferBlob, RegistryClient } from '../../../lib/registry/client.ts';

/**
 * Client behaviour that a real registry does not show on demand, against
 * small node http servers on 127.0.0.1 (these need no docker-registry).
 */

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  return `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

const USER = 'u';
const PASSWORD = 'stub-Secret-1';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

describe('RegistryClient against stub servers', () => {
  it('does not send the Authorization header to another origin on a redirect', async () => {
    const blob = bufferBlob(Buffer.from('release content'));
    const seenByStorage: (string | undefined)[] = [];
    const storage = await serve((req, res) => {
      seenByStorage.push(req.headers.authorization);
      res.writeHead(200, { 'content-length': String(blob.size) });
      res.end(Buffer.from('release content'));
    });
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="stub"' });
        res.end();
        return;
      }
      res.writeHead(307, { location: `http://${storage}/bucket/blob?signature=abc` });
      res.end();
    });
    const client = new RegistryClient({ registry, plainHttp: true, credentials: { username: USER, password: PASSWORD } });
    expect((await client.fetchBlobBytes('a/b', blob)).toString('utf8')).toBe('release content');
    expect(seenByStorage).toEqual([undefined]);
  });

  it('scrubs credentials a registry echoes back from the error message', async () => {
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="stub"' });
        res.end();
        return;
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID', message: `bad request with Authorization: ${req.headers.authorization} (${PASSWORD})` }] }));
    });
    const client = new RegistryClient({ registry, plainHttp: true, credentials: { username: USER, password: PASSWORD } });
    const error = await client.pushManifest('a/b', 't', Buffer.from('{}'), 'application/vnd.oci.image.manifest.v1+json').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toBe(`PUT http://${registry}/v2/a/b/manifests/t: 400 Bad Request (MANIFEST_INVALID: bad request with Authorization: Basic *** (***))`);
  });

  it('fetches a new token when the registry stops accepting the cached one, and reuses tokens otherwise', async () => {
    let issued = 0;
    const tokenServer = await serve((req, res) => {
      expect(req.headers.authorization).toBe(BASIC);
      issued++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `token-${issued}`, expires_in: 300 }));
    });
    const uses = new Map<string, number>();
    const scopes: string[] = [];
    const registry = await serve((req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const used = token ? (uses.get(token) ?? 0) + 1 : 0;
      if (token) uses.set(token, used);
      // A token is good for two requests: the third finds it expired.
      if (!token || used > 2) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${tokenServer}/token",service="stub",scope="repository:a/b:pull"` });
        res.end();
        return;
      }
      scopes.push(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'a/b', tags: ['t'] }));
    });
    const client = new RegistryClient({ registry, plainHttp: true, credentials: { username: USER, password: PASSWORD } });
    for (let i = 0; i < 3; i++) expect(await client.listTags('a/b')).toEqual(['t']);
    expect(scopes).toEqual(['token-1', 'token-1', 'token-2']);
    expect(issued).toBe(2);
  });

  it('says which account lacks access when a fresh token is refused', async () => {
    const tokenServer = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'read-only' }));
    });
    const registry = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${tokenServer}/token",service="stub",scope="repository:a/b:pull,push"`, 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }));
    });
    const client = new RegistryClient({ registry, plainHttp: true, credentials: { username: USER, password: PASSWORD }, credentialsSource: 'test credentials' });
    await expect(client.pushBlob('a/b', bufferBlob(Buffer.from('x')))).rejects.toThrow(
      `HEAD http://${registry}/v2/a/b/blobs/sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881: 401 Unauthorized: the registry refused the token it issued for repository:a/b:pull; the account (test credentials) has no pull access`,
    );
  });
});

describe('credentials never leave the registry origin (stub servers)', () => {
  it('an upload Location on another host that answers 401 is an error naming it; it never sees credentials', async () => {
    const seen: (string | undefined)[] = [];
    const foreign = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token"` });
      res.end();
    });
    const other = foreign.replace('127.0.0.1', 'localhost');
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="stub"' });
        res.end();
        return;
      }
      if (req.method === 'HEAD') {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(202, { location: `http://${other}/upload/1` });
      res.end();
    });
    const client = new RegistryClient({ registry, plainHttp: true, credentials: { username: USER, password: PASSWORD }, retry: { attempts: 1 } });
    await expect(client.pushBlob('a/b', bufferBlob(Buffer.from('x')))).rejects.toThrow(
      `PUT http://${other}/upload/1: ${other} answered 401 Unauthorized; credentials are only sent to ${registry}, never to another host, so ${other} must accept the request without them (e.g. a signed URL)`,
    );
    expect(seen).toEqual([undefined]);
  });

  it('drops user info from a redirect Location rather than sending it', async () => {
    const seen: (string | undefined)[] = [];
    const storage = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-length': '1' });
      res.end('x');
    });
    const registry = await serve((_req, res) => {
      res.writeHead(307, { location: `http://someone:their-secret@${storage}/blob` });
      res.end();
    });
    const client = new RegistryClient({ registry, plainHttp: true });
    expect((await client.fetchBlobBytes('a/b', bufferBlob(Buffer.from('x')))).toString()).toBe('x');
    expect(seen).toEqual([undefined]);
  });
});
