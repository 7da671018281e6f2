/**
 * The ClusterClasses of dist/ with Cluster API itself: `clusterctl alpha
 * topology plan` of clusterctl v1.10.9 (present in that release, see
 * sigs.k8s.io/cluster-api@v1.10.9/cmd/clusterctl/cmd/topology_plan.go, and
 * marked deprecated: "it will be removed in one of the upcoming releases").
 * Without a management cluster it runs, in memory, Cluster API's own
 * ClusterClass and Cluster defaulting and
 * validation webhooks (internal/webhooks: variable schemas, patch
 * definitions, variable references, Cluster variable values), the
 * ClusterClass reconciler and the topology reconciler, which evaluates the
 * patches and computes the desired objects of an example Cluster.
 *
 * Inputs per case: dist/<bundle>/cluster-class.yaml (ClusterClass and
 * templates), the CRDs of crds/ the objects use (clusterctl accepts
 * them but only uses stand-in CRDs it generates for the API contract
 * version; it does not validate provider objects), and one Cluster
 * (spec.topology.class = the ClusterClass, version = the bundle's Kubernetes
 * version, one default-worker MachineDeployment, the case's variables).
 *
 * The objects clusterctl plans are then validated against those CRDs with
 * kube-apiserver's own custom resource code (k8s-check: pruning of unknown
 * fields, defaulting, OpenAPI schema, CEL rules).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clonedFrom, crdDirs, forApiServer, neededCrdFiles, ofKind, topologyPlan, type PlanResult } from './support/capi.ts';
import { exampleCluster, nonDefaultValues, readDistClusterClass, type ClassVariable } from './support/clusters.ts';
import { e2e, e2eEnabled, type E2eContext, type ReleaseInfo } from './support/context.ts';
import { freshDir } from './support/files.ts';
import { assertSuccess, describeRun, mapLimit, run } from './support/run.ts';
import { at, dumpDocuments, isObject, parseObjects, type Json, type JsonObject } from './support/yaml.ts';

const ctx: E2eContext | undefined = e2eEnabled ? e2e() : undefined;
const releases: readonly ReleaseInfo[] = ctx?.stable.releases ?? [];

/** What a case needs to know about its bundle. */
interface Bundle {
  readonly release: ReleaseInfo;
  readonly className: string;
  readonly version: string;
  readonly variables: readonly ClassVariable[];
  readonly all: Record<string, Json>;
}

interface Case {
  readonly name: string;
  readonly variables: (b: Bundle) => Record<string, Json>;
  readonly check: (p: PlanResult, b: Bundle) => void;
}

function defaultOf(b: Bundle, name: string): Json | undefined {
  const v = b.variables.find((x) => x.name === name);
  if (!v) throw new Error(`${b.className} has no variable ${name}`);
  return v.default;
}

/** The named object, failing with the plan's output when it is missing. */
function need(p: PlanResult, o: JsonObject | undefined, what: string): JsonObject {
  if (!o) throw new Error(`the plan created no ${what}; it created ${p.created.map((c) => `${String(c.kind)} ${String(at(c, 'metadata', 'name'))}`).join(', ')}\n${describeRun(p.run, 4000)}`);
  return o;
}

const tpl = (o: JsonObject) => at(o, 'spec', 'template', 'spec');

// ---- openstack/scs ---------------------------------------------------------

function openstack(p: PlanResult, b: Bundle) {
  const cluster = need(p, ofKind(p, 'OpenStackCluster')[0], 'OpenStackCluster');
  const cp = need(p, clonedFrom(p, 'OpenStackMachineTemplate', `${b.className}-control-plane`), 'control plane OpenStackMachineTemplate');
  const worker = need(p, clonedFrom(p, 'OpenStackMachineTemplate', `${b.className}-default-worker`), 'default-worker OpenStackMachineTemplate');
  const kcp = need(p, ofKind(p, 'KubeadmControlPlane')[0], 'KubeadmControlPlane');
  return { cluster: cluster.spec as JsonObject, cp: tpl(cp) as JsonObject, worker: tpl(worker) as JsonObject, apiServer: at(kcp, 'spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'apiServer') as JsonObject | undefined, kcp };
}

const AUTHN_DIR = '/etc/kubernetes/authentication';
const ANONYMOUS = { enabled: true, conditions: ['/livez', '/readyz', '/healthz', '/api/v1/namespaces/kube-public/configmaps/cluster-info'].map((path) => ({ path })) };

/** The AuthenticationConfiguration --authentication-config names, as the planned KubeadmControlPlane writes it. */
function authentication(kcp: JsonObject): { path: Json | undefined; config: JsonObject | undefined } {
  const path = at(kcp, 'spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'apiServer', 'extraArgs', 'authentication-config');
  const files = at(kcp, 'spec', 'kubeadmConfigSpec', 'files');
  const file = (Array.isArray(files) ? files : []).find((f) => isObject(f) && f.path === path);
  const content = isObject(file) ? file.content : undefined;
  return { path, config: typeof content === 'string' ? (parseObjects(content, String(path))[0] as JsonObject | undefined) : undefined };
}

/** The JWT authenticator the oidcConfig patch renders from the variable (with Cluster API's defaults). */
function expectedJwt(o: Record<string, Json>): Json {
  return [{
    issuer: { url: o.issuerURL, audiences: [o.clientID] },
    claimMappings: { username: { claim: o.usernameClaim, prefix: o.usernamePrefix === '-' ? '' : o.usernamePrefix }, groups: { claim: o.groupsClaim, prefix: o.groupsPrefix } },
  }];
}

const oidcArgs = (args: Json | undefined) => Object.fromEntries(Object.entries(isObject(args) ? args : {}).filter(([k]) => k.startsWith('oidc-')));

/** oidcConfig with Cluster API's defaulting of the unset properties from the variable schema. */
function oidcWithDefaults(b: Bundle, set: JsonObject): Record<string, Json> {
  const schema = b.variables.find((v) => v.name === 'oidcConfig')?.schema;
  const props = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const out: Record<string, Json> = {};
  for (const [k, s] of Object.entries(props)) {
    const value = set[k] ?? (isObject(s) ? s.default : undefined);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

const OIDC = { clientID: 'kubectl', issuerURL: 'https://dex.k8s.scs.community' };
const CIDRS = ['192.168.10.0/24', '198.51.100.0/24'];

const openstackCases: readonly Case[] = [
  {
    name: 'defaults',
    variables: () => ({}),
    check: (p, b) => {
      const o = openstack(p, b);
      expect(o.cluster.apiServerLoadBalancer).toEqual({ enabled: true, provider: 'ovn' }); // default octavia-ovn
      expect(o.cluster.identityRef).toMatchObject({ name: 'openstack', cloudName: 'openstack' });
      expect(o.cluster.managedSubnets).toEqual([{ cidr: defaultOf(b, 'nodeCIDR'), dnsNameservers: defaultOf(b, 'dnsNameservers') }]);
      expect(o.cluster.externalNetwork).toBeUndefined();
      expect(o.cluster.disableAPIServerFloatingIP).toBeUndefined();
      const image = { filter: { name: `${String(defaultOf(b, 'imageName'))}-${b.version}` } };
      expect(o.cp).toMatchObject({ flavor: defaultOf(b, 'controlPlaneFlavor'), rootVolume: { sizeGiB: defaultOf(b, 'controlPlaneRootDisk') }, image });
      expect(o.worker).toMatchObject({ flavor: defaultOf(b, 'workerFlavor'), rootVolume: { sizeGiB: defaultOf(b, 'workerRootDisk') }, image });
      for (const m of [o.cp, o.worker]) {
        expect(m.securityGroups).toBeUndefined();
        expect(m.sshKeyName).toBeUndefined();
        expect(m.serverGroup).toBeUndefined();
      }
      expect(oidcArgs(o.apiServer?.extraArgs)).toEqual({});
      expect(o.apiServer?.certSANs ?? []).toEqual([]);
      // restrictAnonymousAuth defaults to true: the template's AuthenticationConfiguration.
      const authn = authentication(o.kcp);
      expect(authn.path).toBe(`${AUTHN_DIR}/authentication-config.yaml`);
      expect(authn.config).toMatchObject({ kind: 'AuthenticationConfiguration', anonymous: ANONYMOUS });
      expect(authn.config?.jwt).toBeUndefined();
    },
  },
  {
    name: 'all-non-default',
    variables: (b) => b.all,
    check: (p, b) => {
      const o = openstack(p, b);
      const a = b.all;
      expect(a.apiServerLoadBalancer).toBe('octavia-amphora');
      expect(o.cluster.apiServerLoadBalancer).toEqual({ enabled: true, provider: 'amphora', allowedCIDRs: a.apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs });
      expect(o.cluster).toMatchObject({
        externalNetwork: { id: a.networkExternalID },
        networkMTU: a.networkMTU,
        managedSubnets: [{ cidr: a.nodeCIDR, dnsNameservers: a.dnsNameservers }],
        disableAPIServerFloatingIP: true,
        controlPlaneAvailabilityZones: a.controlPlaneAvailabilityZones,
        controlPlaneOmitAvailabilityZone: true,
        identityRef: a.identityRef,
      });
      // imageIsOrc true, imageAddVersion false: an ORC image reference by the plain name.
      expect(a.imageIsOrc).toBe(true);
      expect(a.imageAddVersion).toBe(false);
      const image = { imageRef: { name: a.imageName } };
      const ids = (v: Json | undefined) => (Array.isArray(v) ? v.map((id) => ({ id })) : v);
      expect(o.cp).toEqual(expect.objectContaining({
        flavor: a.controlPlaneFlavor,
        rootVolume: { sizeGiB: a.controlPlaneRootDisk },
        image,
        serverGroup: { id: a.controlPlaneServerGroupID },
        securityGroups: ids(a.securityGroupIDs), // securityGroups (names) is ignored when securityGroupIDs is set
        sshKeyName: a.sshKeyName,
      }));
      expect(o.worker).toEqual(expect.objectContaining({
        flavor: a.workerFlavor,
        rootVolume: { sizeGiB: a.workerRootDisk },
        image,
        serverGroup: { id: a.workerServerGroupID },
        securityGroups: ids(a.workerSecurityGroupIDs), // the worker-only groups come last
        sshKeyName: a.sshKeyName,
        additionalBlockDevices: (a.workerAdditionalBlockDevices as JsonObject[]).map((d) => ({ name: d.name, sizeGiB: d.sizeGiB, storage: { type: 'Volume', volume: { type: d.type } } })),
      }));
      expect(o.apiServer?.certSANs).toEqual(a.certSANs);
      // OIDC lives in the AuthenticationConfiguration; restrictAnonymousAuth false leaves anonymous to the flag's default.
      expect(oidcArgs(o.apiServer?.extraArgs)).toEqual({});
      expect(a.restrictAnonymousAuth).toBe(false);
      const authn = authentication(o.kcp);
      expect(authn.path).toBe(`${AUTHN_DIR}/authentication-config-oidc.yaml`);
      expect(authn.config?.anonymous).toBeUndefined();
      expect(authn.config?.jwt).toEqual(expectedJwt(a.oidcConfig as Record<string, Json>));
    },
  },
  {
    name: 'lb-none',
    variables: () => ({ apiServerLoadBalancer: 'none', apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs: CIDRS }),
    check: (p, b) => {
      const lb = openstack(p, b).cluster.apiServerLoadBalancer;
      expect(lb).toEqual({ enabled: false });
    },
  },
  {
    name: 'lb-octavia-amphora',
    variables: () => ({ apiServerLoadBalancer: 'octavia-amphora', apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs: CIDRS }),
    check: (p, b) => {
      expect(openstack(p, b).cluster.apiServerLoadBalancer).toEqual({ enabled: true, provider: 'amphora', allowedCIDRs: CIDRS });
    },
  },
  {
    name: 'lb-octavia-ovn',
    variables: () => ({ apiServerLoadBalancer: 'octavia-ovn', apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs: CIDRS }),
    check: (p, b) => {
      // allowedCIDRs is for amphora only (the ovn provider does not support it).
      expect(openstack(p, b).cluster.apiServerLoadBalancer).toEqual({ enabled: true, provider: 'ovn' });
    },
  },
  {
    name: 'oidc',
    variables: () => ({ oidcConfig: OIDC }),
    check: (p, b) => {
      const o = openstack(p, b);
      expect(oidcArgs(o.apiServer?.extraArgs)).toEqual({});
      const authn = authentication(o.kcp);
      expect(authn.path).toBe(`${AUTHN_DIR}/authentication-config-oidc.yaml`);
      expect(authn.config).toMatchObject({ kind: 'AuthenticationConfiguration', anonymous: ANONYMOUS });
      expect(authn.config?.jwt).toEqual(expectedJwt(oidcWithDefaults(b, OIDC)));
      expect(authn.config?.jwt).toMatchObject([{ issuer: { url: 'https://dex.k8s.scs.community', audiences: ['kubectl'] } }]);
    },
  },
  {
    name: 'oidc-username-prefix-dash',
    variables: () => ({ oidcConfig: { ...OIDC, usernamePrefix: '-', groupsPrefix: 'g"\\<&>:' } }),
    check: (p, b) => {
      const authn = authentication(openstack(p, b).kcp);
      expect(authn.config?.jwt).toMatchObject([{ claimMappings: { username: { prefix: '' }, groups: { prefix: 'g"\\<&>:' } } }]);
    },
  },
  {
    name: 'anonymous-unrestricted',
    variables: () => ({ restrictAnonymousAuth: false }),
    check: (p, b) => {
      const authn = authentication(openstack(p, b).kcp);
      expect(authn.path).toBe(`${AUTHN_DIR}/authentication-config-unrestricted.yaml`);
      expect(authn.config).toMatchObject({ kind: 'AuthenticationConfiguration', anonymous: { enabled: true } });
      expect(authn.config?.anonymous).toEqual({ enabled: true });
    },
  },
  {
    name: 'orc-image',
    variables: () => ({ imageIsOrc: true }),
    check: (p, b) => {
      const o = openstack(p, b);
      const name = `${String(defaultOf(b, 'imageName'))}-${b.version}`;
      expect(o.cp.image).toEqual({ imageRef: { name } });
      expect(o.worker.image).toEqual({ imageRef: { name } });
      // …which is the ORC Image the release ships in node-images.yaml.
      const file = join(b.release.dir, 'node-images.yaml');
      const images = parseObjects(readFileSync(file, 'utf8'), file).filter((i) => i.kind === 'Image').map((i) => at(i, 'metadata', 'name'));
      expect(images, `${file} has no ORC Image named ${name}`).toContain(name);
    },
  },
  {
    name: 'security-groups-by-name',
    variables: () => ({ securityGroups: ['sg-a', 'sg-b'], certSANs: ['api.e2e.example', '203.0.113.7'] }),
    check: (p, b) => {
      const o = openstack(p, b);
      const want = [{ filter: { name: 'sg-a' } }, { filter: { name: 'sg-b' } }];
      expect(o.cp.securityGroups).toEqual(want);
      expect(o.worker.securityGroups).toEqual(want);
      expect(o.apiServer?.certSANs).toEqual(['api.e2e.example', '203.0.113.7']);
    },
  },
  {
    name: 'root-disk-zero',
    variables: () => ({ controlPlaneRootDisk: 0, workerRootDisk: 0, controlPlaneFlavor: 'SCS-2V-4-20s', workerFlavor: 'SCS-4V-8-50s' }),
    check: (p, b) => {
      const o = openstack(p, b);
      expect(o.cp.rootVolume).toBeUndefined();
      expect(o.worker.rootVolume).toBeUndefined();
      expect(o.cp.flavor).toBe('SCS-2V-4-20s');
      expect(o.worker.flavor).toBe('SCS-4V-8-50s');
    },
  },
];

// ---- docker/scs ------------------------------------------------------------

function docker(p: PlanResult, b: Bundle) {
  const cp = need(p, clonedFrom(p, 'DockerMachineTemplate', `${b.className}-control-plane`), 'control plane DockerMachineTemplate');
  const worker = need(p, clonedFrom(p, 'DockerMachineTemplate', `${b.className}-default-worker`), 'default-worker DockerMachineTemplate');
  const kcp = need(p, ofKind(p, 'KubeadmControlPlane')[0], 'KubeadmControlPlane');
  need(p, ofKind(p, 'DockerCluster')[0], 'DockerCluster');
  return { cp: tpl(cp) as JsonObject, worker: tpl(worker) as JsonObject, clusterConfiguration: at(kcp, 'spec', 'kubeadmConfigSpec', 'clusterConfiguration') as JsonObject | undefined };
}

const dockerCases: readonly Case[] = [
  {
    name: 'defaults',
    variables: () => ({}),
    check: (p, b) => {
      const d = docker(p, b);
      expect(d.cp.customImage).toBeUndefined();
      expect(d.worker.customImage).toBeUndefined();
      expect(d.clusterConfiguration?.imageRepository).toBeUndefined();
    },
  },
  {
    name: 'all-non-default',
    variables: (b) => b.all,
    check: (p, b) => {
      const d = docker(p, b);
      expect(d.cp.customImage).toBe(b.all.customImage);
      expect(d.worker.customImage).toBe(b.all.customImage);
      expect(d.clusterConfiguration?.imageRepository).toBe(b.all.imageRepository);
    },
  },
];

const CASES: Readonly<Record<string, readonly Case[]>> = { openstack: openstackCases, docker: dockerCases };

/** What every successful plan must contain, whatever the variables. */
function checkCommon(p: PlanResult, b: Bundle): void {
  const kcp = need(p, ofKind(p, 'KubeadmControlPlane')[0], 'KubeadmControlPlane');
  expect(at(kcp, 'spec', 'version')).toBe(b.version);
  const md = need(p, ofKind(p, 'MachineDeployment')[0], 'MachineDeployment');
  expect(at(md, 'spec', 'template', 'spec', 'version')).toBe(b.version);
  expect(at(md, 'metadata', 'labels', 'topology.cluster.x-k8s.io/deployment-name')).toBe('md-0');
  expect(ofKind(p, 'KubeadmConfigTemplate')).toHaveLength(1);
  expect(p.cluster, `no modified Cluster in the plan:\n${describeRun(p.run, 2000)}`).toBeDefined();
}

describe.skipIf(!ctx)('Cluster API: clusterctl alpha topology plan of the dist/ ClusterClasses', () => {
  describe.each(releases.map((r) => [r.tag, r] as const))('%s', (_tag, release) => {
    const c = ctx as E2eContext;
    const cases = CASES[release.provider] ?? [];
    const plans = new Map<string, PlanResult>();
    let bundle: Bundle | undefined;

    beforeAll(async () => {
      const dist = readDistClusterClass(release.distDir);
      const all = nonDefaultValues(dist.variables);
      bundle = { release, className: release.clusterClassName, version: release.kubernetes, variables: dist.variables, all: all.values };
      if (all.problems.length > 0) throw new Error(all.problems.join('\n'));
      const inputs = [dist.file, ...neededCrdFiles(crdDirs(c, release.provider), dist.objects)];
      const b = bundle;
      await mapLimit(cases, 2, async (k) => {
        const cluster = exampleCluster({ name: `e2e-${k.name}`, className: b.className, version: b.version, variables: k.variables(b) });
        plans.set(k.name, await topologyPlan(c, `${release.tag}-${k.name}`, inputs, cluster));
      });
    });

    it('has cases for its provider', () => {
      expect(cases.length, `no Cluster API cases for provider ${release.provider} in test/e2e/capi.e2e.test.ts`).toBeGreaterThan(0);
    });

    it.each(cases.map((k) => [k.name, k] as const))('%s: webhooks accept class and Cluster, and the patches produce the expected objects', (name, k) => {
      const p = plans.get(name);
      if (!p || !bundle) throw new Error('the plan did not run');
      assertSuccess(p.run, `clusterctl alpha topology plan (case ${name})`);
      try {
        checkCommon(p, bundle);
        k.check(p, bundle);
      } catch (e) {
        // Keep vitest's diff, add what clusterctl said and where its output is.
        if (e instanceof Error) e.message += `\n(case ${name}; the planned objects are in ${p.dir}/out/created with E2E_KEEP=1)\n${describeRun(p.run, 4000)}`;
        throw e;
      }
    });

    it("every planned object is valid for kube-apiserver with the real CRDs (unknown fields, schema, CEL rules)", async () => {
      const dir = freshDir(join(c.work, 'capi-validate'), release.tag);
      const files: string[] = [];
      for (const [name, p] of plans) {
        if (p.run.code !== 0) continue; // reported by the case
        const objects = [...p.created.filter((o) => at(o, 'apiVersion') !== 'v1'), ...(p.cluster ? [p.cluster] : [])].map(forApiServer);
        const file = join(dir, `${name}.yaml`);
        writeFileSync(file, dumpDocuments(objects));
        files.push(file);
      }
      expect(files.length, 'no plan of this bundle succeeded (see the failing cases): nothing to validate').toBeGreaterThan(0);
      const r = await run(c.tools.k8sCheck, ['validate', ...crdDirs(c, release.provider).flatMap((d) => ['-crds', d]), '-namespace', 'default', ...files]);
      assertSuccess(r, 'k8s-check validate of the planned objects');
    });
  });
});
