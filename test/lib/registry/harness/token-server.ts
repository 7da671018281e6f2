import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

/**
 * A minimal Docker token server (the `auth.token` scheme of the distribution
 * registry): GET /token?service=…&scope=… with Basic credentials answers
 * `{"token": <JWT>}`, an RS256 JWT whose `x5c` header carries a self-signed
 * certificate that the registry trusts through `rootcertbundle`.
 */
export class TokenServer {
  /** `realmHost`: the host name the realm URL names (it listens on 127.0.0.1; `localhost` is another host name for the same server). @default '127.0.0.1' */
  public static async start(options: { dir: string; username: string; password: string; service: string; issuer: string; realmHost?: string }): Promise<TokenServer> {
    const keyPath = join(options.dir, 'token-key.pem');
    const certPath = join(options.dir, 'token-cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=cluster-stacks-test-token-issuer'], { stdio: 'ignore' });
    const server = new TokenServer(options, createPrivateKey(readFileSync(keyPath)), certPath);
    await server.listen();
    return server;
  }

  /** One entry per token request: whether the credentials were right, the Authorization header it carried, and the scopes asked for. */
  public readonly requests: { readonly authorized: boolean; readonly authorization: string | undefined; readonly scopes: readonly string[]; readonly service: string | null }[] = [];
  private readonly server: Server;
  private readonly x5c: string;
  private port = 0;

  private constructor(private readonly options: { username: string; password: string; service: string; issuer: string; realmHost?: string }, private readonly key: KeyObject, public readonly certPath: string) {
    // The certificate's DER, base64 (not url-safe), as x5c wants it: the PEM body.
    this.x5c = readFileSync(certPath, 'utf8').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
      const authorized = req.headers.authorization === expected;
      const scopes = url.searchParams.getAll('scope');
      this.requests.push({ authorized, authorization: req.headers.authorization, scopes, service: url.searchParams.get('service') });
      if (url.pathname !== '/token' || !authorized) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token: this.jwt(scopes), expires_in: 300 }));
    });
  }

  public get realm(): string {
    return `http://${this.options.realmHost ?? '127.0.0.1'}:${this.port}/token`;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private listen(): Promise<void> {
    return new Promise((resolveListen) => {
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        resolveListen();
      });
    });
  }

  private jwt(scopes: readonly string[]): string {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((s) => {
      const [type, name, actions] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1, s.lastIndexOf(':')), s.slice(s.lastIndexOf(':') + 1)];
      return type && name ? [{ type, name, actions: actions.split(',') }] : [];
    });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const signingInput = `${b64({ typ: 'JWT', alg: 'RS256', x5c: [this.x5c] })}.${b64({
      iss: this.options.issuer,
      sub: this.options.username,
      aud: this.options.service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    })}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), this.key).toString('base64url')}`;
  }
}
