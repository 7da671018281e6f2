import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { at, isObject, parseObjects, type JsonObject } from '../../e2e/support/yaml.ts';
import { ApiClient } from './api.ts';
import { assertSuccess, describeRun, run } from '../../e2e/support/run.ts';

/**
 * A Cluster API management cluster from Go modules alone: etcd,
 * kube-apiserver, the Cluster API core, kubeadm bootstrap and kubeadm control
 * plane managers, and CAAPH's manager, all on 127.0.0.1 with fixed ports.
 * Optionally more kube-apiservers on the same etcd (each with its own key
 * prefix): "workload clusters" CAAPH installs Helm releases into. No provider
 * controllers and no machines: what a provider would report is set by the
 * tests, named as such. The kubeadm control plane manager serves its webhooks
 * for every namespace but its controller watches only
 * {@link KCP_WATCH_NAMESPACE}: without machines it would report zero replicas
 * and overwrite the control plane status the tests set in its place.
 *
 * It must run in a private network namespace (scripts/mgmt-cluster.sh runs
 * it under `unshare -n`): the managers' webhook servers bind to every
 * interface, and the fixed ports must not meet anybody else's.
 */

/** The binaries and module folders scripts/mgmt-tools.sh reports. */
export interface MgmtTools {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubectl: string;
  readonly capiManager: string;
  readonly capiKubeadmBootstrapManager: string;
  readonly capiKubeadmControlPlaneManager: string;
  readonly caaphManager: string;
  /** sigs.k8s.io/cluster-api in the Go module cache (CRDs, webhook manifests). */
  readonly capiSource: string;
  /** sigs.k8s.io/cluster-api-addon-provider-helm in the Go module cache. */
  readonly caaphSource: string;
}

/** What the tests and a user need to reach the running cluster (state dir's ready.json). */
export interface ManagementClusterInfo {
  readonly stateDir: string;
  readonly kubeconfig: string;
  /** The workload clusters' kubeconfigs (the same admin credentials). */
  readonly workloadKubeconfigs: readonly string[];
  readonly kubectl: string;
  readonly helmCompatibleKubeVersion: string;
  readonly phases: readonly Phase[];
}

export interface Phase {
  readonly name: string;
  readonly seconds: number;
}

export interface StartOptions {
  readonly root: string;
  readonly stateDir: string;
  readonly tools: MgmtTools;
  /** How many workload clusters (kube-apiservers on their own etcd prefix) for CAAPH's Helm releases. */
  readonly workloads: number;
  readonly log: (line: string) => void;
}

export const KUBERNETES_VERSION = 'v1.32.3';

/** The only namespace the kubeadm control plane controller watches; the tests never use it. */
export const KCP_WATCH_NAMESPACE = 'mgmt-kcp-controller-watches-nothing';

const PORTS = {
  etcd: { client: 2379, peer: 2380 },
  apiserver: 6443,
  /** + i for workload cluster i */
  workloadApiserver: 7443,
} as const;

/** One Cluster API or CAAPH manager: its binary, webhook manifests and ports. */
interface Manager {
  readonly name: string;
  readonly binary: string;
  readonly webhookManifests: string;
  readonly webhookPort: number;
  readonly healthPort: number;
  readonly diagnosticsPort: number;
  readonly extraArgs: readonly string[];
}

export class ManagementCluster {
  private readonly children: { name: string; child: ChildProcess }[] = [];
  private readonly phases: Phase[] = [];
  private stopping = false;

  public constructor(private readonly options: StartOptions) {}

  /** Starts everything; throws (after stopping what runs) when a part fails. */
  public async start(): Promise<ManagementClusterInfo> {
    const { stateDir, workloads } = this.options;
    mkdirSync(join(stateDir, 'logs'), { recursive: true });
    try {
      assertPrivateNetworkNamespace();
      const pki = await this.phase('certificates', () => createPki(join(stateDir, 'pki')));
      const kubeconfig = join(stateDir, 'kubeconfig');
      writeFileSync(kubeconfig, adminKubeconfig(pki, PORTS.apiserver, 'management'));
      const workloadKubeconfigs = Array.from({ length: workloads }, (_, i) => {
        const file = join(stateDir, `workload-${i + 1}.kubeconfig`);
        writeFileSync(file, adminKubeconfig(pki, PORTS.workloadApiserver + i, `workload-${i + 1}`));
        return file;
      });

      await this.phase('etcd + management kube-apiserver', async () => {
        await this.startEtcd();
        await this.startApiServer('management', '/registry', PORTS.apiserver, pki);
      });
      // The workload clusters' API servers come up while the management
      // cluster's CRDs, managers and webhooks are installed (started before,
      // their bootstrap slowed the management API server's on two cores);
      // they are awaited last.
      const workloadsReady = Promise.all(workloadKubeconfigs.map((_, i) => this.startApiServer(`workload-${i + 1}`, `/workload-${i + 1}/registry`, PORTS.workloadApiserver + i, pki)));
      // Not awaited yet: a failure must not go unhandled meanwhile.
      workloadsReady.catch(() => undefined);

      const managers = this.managers();
      await this.phase('CRDs', () => this.installCrds());
      await this.phase('managers', async () => {
        for (const m of managers) this.startManager(m, pki);
        await Promise.all(managers.map((m) => this.waitForTls(m.name, m.webhookPort)));
      });
      await this.phase('webhook configurations', () => this.installWebhooks(managers, pki));
      await this.phase(`${workloads} workload kube-apiservers`, () => workloadsReady);

      const info: ManagementClusterInfo = {
        stateDir,
        kubeconfig,
        workloadKubeconfigs,
        kubectl: this.options.tools.kubectl,
        helmCompatibleKubeVersion: KUBERNETES_VERSION,
        phases: [...this.phases],
      };
      writeFileSync(join(stateDir, 'ready.json'), `${JSON.stringify(info, null, 2)}\n`);
      return info;
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /**
   * Stops every process this object started, all at once, with KILL.
   * Nothing of this cluster outlives it (etcd's data is thrown away), so
   * there is no order to keep and no graceful drain to wait for: with TERM
   * the API servers' and managers' own shutdown took 2 s of every run.
   */
  public async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.children.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  private async phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    const result = await fn();
    const seconds = Math.round((performance.now() - start) / 100) / 10;
    this.phases.push({ name, seconds });
    this.options.log(`phase ${name}: ${seconds.toFixed(1)} s`);
    return result;
  }

  private spawnLogged(name: string, file: string, args: readonly string[], env: Record<string, string> = {}): ChildProcess {
    const logFile = join(this.options.stateDir, 'logs', `${name}.log`);
    const fd = openSync(logFile, 'a');
    // GOGC=400: the management kube-apiserver spends about a third of its
    // CPU in Go's garbage collector at the default 100, and CPU is what the
    // suite waits on (2 cores); at 400 the suite ran 64 s instead of 72-77 s
    // for 2.8 GB instead of 1.3 GB of the API server's RSS.
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], env: { ...process.env, GOGC: '400', ...env } });
    closeSync(fd);
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.options.log(`${name} exited unexpectedly (${signal ?? `exit code ${String(code)}`}); its log: ${logFile}\n${tail(logFile)}`);
    });
    this.children.push({ name, child });
    return child;
  }

  private get etcdUrl(): string {
    return `http://127.0.0.1:${PORTS.etcd.client}`;
  }

  private async startEtcd(): Promise<void> {
    const { tools, stateDir } = this.options;
    this.spawnLogged('etcd', tools.etcd, [
      '--name=mgmt',
      `--data-dir=${join(stateDir, 'etcd')}`,
      `--listen-client-urls=${this.etcdUrl}`,
      `--advertise-client-urls=${this.etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${PORTS.etcd.peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${PORTS.etcd.peer}`,
      `--initial-cluster=mgmt=http://127.0.0.1:${PORTS.etcd.peer}`,
      // A throw-away store: no fsync, which is most of etcd's latency on a busy disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor('etcd', 60_000, () => httpGetOk(`${this.etcdUrl}/health`));
  }

  /** A kube-apiserver on the shared etcd, its objects below `prefix`. */
  private async startApiServer(name: string, prefix: string, port: number, pki: Pki): Promise<void> {
    this.spawnLogged(`${name}-kube-apiserver`, this.options.tools.kubeApiserver, [
      `--etcd-servers=${this.etcdUrl}`,
      `--etcd-prefix=${prefix}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      // Nothing to reconcile: no kubernetes Service endpoints, no nodes.
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
    ]);
    await waitFor(`${name} kube-apiserver`, 120_000, () => httpsGetOk(port, '/readyz', pki));
  }

  private managers(): Manager[] {
    const { tools } = this.options;
    // The default client limit (20 requests/s, bursts of 30) throttles the
    // topology controller when the tests' Clusters all reconcile at once.
    const capiArgs = ['--feature-gates=ClusterTopology=true', '--kube-api-qps=200', '--kube-api-burst=400'];
    return [
      { name: 'capi-manager', binary: tools.capiManager, webhookManifests: join(tools.capiSource, 'config/webhook/manifests.yaml'), webhookPort: 9443, healthPort: 9440, diagnosticsPort: 8440, extraArgs: capiArgs },
      {
        name: 'capi-kubeadm-bootstrap-manager',
        binary: tools.capiKubeadmBootstrapManager,
        webhookManifests: join(tools.capiSource, 'bootstrap/kubeadm/config/webhook/manifests.yaml'),
        webhookPort: 9444,
        healthPort: 9441,
        diagnosticsPort: 8441,
        extraArgs: capiArgs,
      },
      {
        name: 'capi-kubeadm-control-plane-manager',
        binary: tools.capiKubeadmControlPlaneManager,
        webhookManifests: join(tools.capiSource, 'controlplane/kubeadm/config/webhook/manifests.yaml'),
        webhookPort: 9445,
        healthPort: 9442,
        diagnosticsPort: 8442,
        extraArgs: [...capiArgs, `--namespace=${KCP_WATCH_NAMESPACE}`],
      },
      {
        name: 'caaph-manager',
        binary: tools.caaphManager,
        webhookManifests: join(tools.caaphSource, 'config/webhook/manifests.yaml'),
        webhookPort: 9446,
        healthPort: 9447,
        diagnosticsPort: 8443,
        extraArgs: [],
      },
    ];
  }

  private startManager(m: Manager, pki: Pki): void {
    this.spawnLogged(
      m.name,
      m.binary,
      [
        `--webhook-port=${m.webhookPort}`,
        `--webhook-cert-dir=${pki.webhookCertDir}`,
        `--health-addr=127.0.0.1:${m.healthPort}`,
        `--diagnostics-address=127.0.0.1:${m.diagnosticsPort}`,
        '--insecure-diagnostics',
        '--leader-elect=false',
        ...m.extraArgs,
      ],
      { KUBECONFIG: join(this.options.stateDir, 'kubeconfig') },
    );
  }

  private async waitForTls(name: string, port: number): Promise<void> {
    await waitFor(`${name}'s webhook server on 127.0.0.1:${port}`, 120_000, () => tlsAccepts(port));
  }

  /**
   * Cluster API's and CAAPH's CRDs from their modules' config/crd/bases (the
   * project's crds/ has only the ones it imports), the provider and operator
   * CRDs from the project's crds/. The `cluster.x-k8s.io/v1beta1` label is
   * what each component's kustomization adds: Cluster API reads a
   * referenced kind's contract version from it.
   */
  private async installCrds(): Promise<void> {
    const { root, tools, stateDir } = this.options;
    const files: string[] = [];
    const yamlIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f));
    for (const dir of ['config/crd/bases', 'bootstrap/kubeadm/config/crd/bases', 'controlplane/kubeadm/config/crd/bases']) files.push(...yamlIn(join(tools.capiSource, dir)));
    files.push(...yamlIn(join(tools.caaphSource, 'config/crd/bases')));
    const crdRoot = join(root, 'crds');
    for (const dir of readdirSync(crdRoot).sort()) {
      // Cluster API's and CAAPH's own come from their modules (the full set, at the versions that run).
      if (dir.startsWith('capi-') || dir.startsWith('caaph-') || !existsSync(join(crdRoot, dir)) || dir.endsWith('.md')) continue;
      files.push(...yamlIn(join(crdRoot, dir)));
    }
    const crds = files.flatMap((f) => parseObjects(readFileSync(f, 'utf8'), f)).filter((o) => o.kind === 'CustomResourceDefinition');
    for (const crd of crds) labelContract(crd);
    // One JSON List: kubectl reads it without a YAML-to-JSON pass over 2.5 MB.
    const out = join(stateDir, 'crds.json');
    writeFileSync(out, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds }));
    await this.kubectl(['apply', '--server-side', '--force-conflicts', '-f', out]);
    await this.waitEstablished(crds.map((c) => String(at(c, 'metadata', 'name'))));
  }

  /**
   * Polls the CRD list until each of `names` is Established. `kubectl wait
   * crd --all` starts a watch per CRD one after the other, about 0.1 s each:
   * 5 s of the bring-up for some seventy CRDs that were established at once.
   */
  private async waitEstablished(names: readonly string[]): Promise<void> {
    const api = new ApiClient(join(this.options.stateDir, 'kubeconfig'));
    let waiting = names;
    try {
      await waitFor(
        () => `the CRDs ${waiting.join(', ')} (Established)`,
        120_000,
        async () => {
          const list = await api.ok('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
          const established = new Set(
            (Array.isArray(list.items) ? list.items : [])
              .filter(isObject)
              .filter((crd) => (at(crd, 'status', 'conditions') as JsonObject[] | undefined)?.some((c) => c.type === 'Established' && c.status === 'True'))
              .map((crd) => String(at(crd, 'metadata', 'name'))),
          );
          waiting = names.filter((n) => !established.has(n));
          return waiting.length === 0;
        },
        100,
      );
    } finally {
      api.close();
    }
  }

  /**
   * Each manager's webhook configurations as its manifests.yaml declares them,
   * with the in-cluster Service replaced by https://127.0.0.1:<port><path>
   * and the CA of the serving certificate as caBundle; names get the
   * manager's prefix as kustomize's namePrefix would.
   */
  private async installWebhooks(managers: readonly Manager[], pki: Pki): Promise<void> {
    const caBundle = Buffer.from(readFileSync(pki.caCert)).toString('base64');
    const objects: JsonObject[] = [];
    for (const m of managers) {
      for (const o of parseObjects(readFileSync(m.webhookManifests, 'utf8'), m.webhookManifests)) {
        const meta = isObject(o.metadata) ? o.metadata : {};
        const hooks = Array.isArray(o.webhooks) ? o.webhooks : [];
        for (const h of hooks) {
          if (!isObject(h) || !isObject(h.clientConfig) || !isObject(h.clientConfig.service)) throw new Error(`${m.webhookManifests}: a webhook without clientConfig.service`);
          const path = String(h.clientConfig.service.path ?? '');
          h.clientConfig = { url: `https://127.0.0.1:${m.webhookPort}${path}`, caBundle };
        }
        objects.push({ ...o, metadata: { ...meta, name: `${m.name}-${String(meta.name)}` } });
      }
    }
    const out = join(this.options.stateDir, 'webhooks.yaml');
    writeFileSync(out, objects.map((c) => `---\n${yaml.dump(c, { noRefs: true, lineWidth: -1 })}`).join(''));
    await this.kubectl(['apply', '--server-side', '-f', out]);
  }

  private async kubectl(args: readonly string[]): Promise<string> {
    const r = await run(this.options.tools.kubectl, args, { env: { KUBECONFIG: join(this.options.stateDir, 'kubeconfig') }, timeoutMs: 180_000 });
    assertSuccess(r, `kubectl ${args.join(' ')}`);
    return r.stdout;
  }
}

function labelContract(crd: JsonObject): void {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const group = String(spec.group ?? '');
  if (!group.endsWith('cluster.x-k8s.io')) return;
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const storage = versions.find((v) => isObject(v) && v.storage === true);
  if (!isObject(storage)) return;
  const meta = isObject(crd.metadata) ? crd.metadata : {};
  const labels = isObject(meta.labels) ? meta.labels : {};
  crd.metadata = { ...meta, labels: { ...labels, 'cluster.x-k8s.io/v1beta1': String(storage.name) } };
}

/** Refuses to start outside a network namespace that has nothing but loopback. */
function assertPrivateNetworkNamespace(): void {
  // /proc/net/dev lists the interfaces of the caller's network namespace (/sys/class/net those of sysfs's mount).
  const interfaces = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]?.trim() ?? '')
    .filter((i) => i !== '' && i !== 'lo');
  if (interfaces.length > 0) {
    throw new Error(
      `the management cluster binds fixed ports and its managers' webhook servers listen on every interface, ` +
        `so it only runs in a private network namespace; this one has ${interfaces.join(', ')}. ` +
        'Use scripts/mgmt-cluster.sh (run | up), which runs it under `unshare -n`.',
    );
  }
}

// ---------------------------------------------------------------------------
// certificates (openssl): one CA for the API servers' and webhooks' serving
// certificate and the admin client certificate.

export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  /** tls.crt + tls.key, the layout controller-runtime's webhook server reads. */
  readonly webhookCertDir: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  const r = await run('openssl', args, { cwd });
  if (r.code !== 0) throw new Error(`openssl failed (is the Debian package openssl installed?):\n${describeRun(r)}`);
}

async function createPki(dir: string): Promise<Pki> {
  mkdirSync(join(dir, 'webhook'), { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=cluster-stacks-mgmt-test-ca'], dir);
  const sign = async (name: string, subject: string, ext: string): Promise<void> => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    await openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
  };
  await sign('serving', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await sign('admin', '/O=system:masters/CN=cluster-stacks-mgmt-admin', 'extendedKeyUsage=clientAuth\n');
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key'], dir);
  await openssl(['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  writeFileSync(join(dir, 'webhook', 'tls.crt'), readFileSync(join(dir, 'serving.crt')));
  writeFileSync(join(dir, 'webhook', 'tls.key'), readFileSync(join(dir, 'serving.key')));
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
    webhookCertDir: join(dir, 'webhook'),
  };
}

/** A kubeconfig with everything embedded, so it can also go into a `<cluster>-kubeconfig` Secret. */
function adminKubeconfig(pki: Pki, port: number, name: string): string {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64(pki.caCert) } }],
    users: [{ name: 'admin', user: { 'client-certificate-data': b64(pki.adminCert), 'client-key-data': b64(pki.adminKey) } }],
    contexts: [{ name, context: { cluster: name, user: 'admin' } }],
    'current-context': name,
  });
}

// ---------------------------------------------------------------------------
// readiness probes

/** Polls `probe` until it holds; `what` (a function: asked when the time is up) names what was awaited. */
async function waitFor(what: string | (() => string), timeoutMs: number, probe: () => Promise<boolean>, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${typeof what === 'string' ? what : what()} was not ready after ${timeoutMs / 1000} s`);
}

function httpGetOk(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = httpRequest(url, { timeout: 2_000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function httpsGetOk(port: number, path: string, pki: Pki): Promise<boolean> {
  return new Promise((done) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, timeout: 2_000, ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) },
      (res) => {
        res.resume();
        done(res.statusCode === 200);
      },
    );
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function tlsAccepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, timeout: 2_000 }, () => {
      socket.end();
      done(true);
    });
    socket.on('error', () => done(false));
    socket.on('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
