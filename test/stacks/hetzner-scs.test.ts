import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runStaticChecks } from '../../lib/compliance/deviations.ts';
import { hardeningObjects } from '../../lib/compliance/bundle-objects.ts';
import { synthesize, type Bundle } from '../../lib/pipeline/synth.ts';
import { dockerScs } from '../../stacks/docker/scs/stack.ts';
import { hetznerScs } from '../../stacks/hetzner/scs/stack.ts';
import { versions } from '../../stacks/hetzner/scs/versions.ts';
import { KUBERNETES_VERSIONS } from '../../stacks/kubernetes-versions.ts';

const bundles = synthesize([hetznerScs]);

function bundleFor(minor: string): Bundle {
  const found = bundles.find((b) => b.path === `hetzner/scs/${minor}`);
  if (!found) throw new Error(`hetzner/scs/${minor} is not synthesized`);
  return found;
}

function file(bundle: Bundle, path: string): string {
  const found = bundle.files.find((f) => f.path === path);
  if (!found) throw new Error(`${bundle.path}: no ${path}`);
  return found.content;
}

type Json = Record<string, unknown>;
type Doc = Json & { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: Json; data?: Record<string, string> };
interface JsonPatchEntry {
  op: string;
  path: string;
  value?: unknown;
  valueFrom?: { variable?: string; template?: string };
}
interface ClusterClassJson {
  metadata: { name: string };
  spec: {
    variables: { name: string; required: boolean; schema: { openAPIV3Schema: Json & { default?: unknown; enum?: unknown[]; pattern?: string } } }[];
    patches: { name: string; enabledIf?: string; definitions: { selector: { kind: string; matchResources: Json }; jsonPatches: JsonPatchEntry[] }[] }[];
  };
}

const documents = (bundle: Bundle, path: string) => yaml.loadAll(file(bundle, path)) as Doc[];
const b134 = bundleFor('1-34');
const CLASS = 'hetzner-scs-1-34-v1';
const docs = documents(b134, 'cluster-class.yaml');
const clusterClass = docs[0] as unknown as ClusterClassJson;
const byName = (kind: string, name: string): Doc => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`${kind}/${name} is missing`);
  return d;
};
const variable = (name: string) => {
  const v = clusterClass.spec.variables.find((x) => x.name === name);
  if (!v) throw new Error(`no variable ${name}`);
  return v.schema.openAPIV3Schema;
};
const patch = (name: string) => {
  const p = clusterClass.spec.patches.find((x) => x.name === name);
  if (!p) throw new Error(`no patch ${name}`);
  return p;
};
const at = (o: unknown, pointer: string): unknown =>
  pointer.split('/').slice(1).reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Json)[k] : undefined), o);

const cluster = byName('HetznerClusterTemplate', `${CLASS}-cluster`);
const cpMachines = byName('HCloudMachineTemplate', `${CLASS}-control-plane`);
const workerMachines = byName('HCloudMachineTemplate', `${CLASS}-default-worker`);
const clusterSpec = at(cluster, '/spec/template/spec') as Json;

describe('hetzner/scs bundles', () => {
  it('exist for every Kubernetes minor of the shared table, each with its patch version', () => {
    expect(bundles.map((b) => b.path)).toEqual(['hetzner/scs/1-32', 'hetzner/scs/1-33', 'hetzner/scs/1-34']);
    for (const [minor, patchVersion] of Object.entries(KUBERNETES_VERSIONS)) {
      const metadata = yaml.load(file(bundleFor(minor.replace('.', '-')), 'metadata.yaml')) as { versions: { kubernetes: string } };
      expect(metadata.versions.kubernetes).toBe(`v${patchVersion}`);
    }
  });

  it('hold the ClusterClass, five addons and the node images', () => {
    expect(b134.files.map((f) => f.path).filter((p) => !p.startsWith('cluster-addon/'))).toEqual([
      'cluster-class.yaml', 'clusteraddon.yaml', 'helm-chart-proxies.yaml', 'kustomization.yaml', 'metadata.yaml',
      'node-image/SHA256SUMS', 'node-image/build.sh', 'node-image/packer-variables.json', 'node-images.yaml',
    ]);
    const addons = [...new Set(b134.files.filter((f) => f.path.startsWith('cluster-addon/')).map((f) => f.path.split('/')[1]))];
    expect(addons.sort()).toEqual(['ccm', 'cni', 'csi', 'kubelet-csr-approver', 'metrics-server']);
  });

  it('reference CAPH templates for the cluster, the control plane machines and the default-worker class', () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      `ClusterClass/${CLASS}`,
      `HetznerClusterTemplate/${CLASS}-cluster`,
      `KubeadmControlPlaneTemplate/${CLASS}-control-plane`,
      `HCloudMachineTemplate/${CLASS}-control-plane`,
      `KubeadmConfigTemplate/${CLASS}-default-worker`,
      `HCloudMachineTemplate/${CLASS}-default-worker`,
    ]);
  });
});

describe('templates say what a Cluster with default variables gets', () => {
  // Each template field a patch always replaces must already hold the value
  // the patch writes for the defaults, so the template documents the default.
  it('places servers, load balancer and network in the default region and its network zone', () => {
    expect(clusterSpec.controlPlaneRegions).toEqual([variable('region').default]);
    expect(clusterSpec.controlPlaneLoadBalancer).toEqual({ enabled: true, type: variable('loadBalancerType').default, region: variable('region').default });
    expect(variable('loadBalancerRegion').default).toBe('');
    expect(clusterSpec.hcloudNetwork).toEqual({
      enabled: variable('privateNetwork').default,
      cidrBlock: variable('privateNetworkCIDR').default,
      subnetCidrBlock: variable('privateNetworkSubnetCIDR').default,
      networkZone: 'eu-central',
    });
  });

  it('references the token Secret by name and key only, and creates no Secret', () => {
    expect(clusterSpec.hetznerSecretRef).toEqual({ name: variable('hcloudTokenSecretName').default, key: { hcloudToken: variable('hcloudTokenSecretKey').default } });
    for (const b of bundles) {
      for (const f of b.files) expect(f.content, `${b.path}/${f.path}`).not.toMatch(/^kind: Secret$/m);
    }
  });

  it('gives the machines the default server types and the node image of the bundle\'s Kubernetes version', () => {
    for (const [minor, row] of versions.map((r) => [r.kubernetes.split('.').slice(0, 2).join('-'), r] as const)) {
      const d = documents(bundleFor(minor), 'cluster-class.yaml');
      const machines = d.filter((x) => x.kind === 'HCloudMachineTemplate').map((x) => at(x, '/spec/template/spec') as Json);
      for (const m of machines) expect(m.imageName).toBe(`${String(variable('imageName').default)}-v${row.kubernetes}`);
    }
    expect(at(cpMachines, '/spec/template/spec/type')).toBe(variable('controlPlaneServerType').default);
    expect(at(workerMachines, '/spec/template/spec/type')).toBe(variable('workerServerType').default);
  });

  it('starts without placement groups or SSH keys; the patches add them', () => {
    expect(clusterSpec.hcloudPlacementGroups).toEqual([]);
    expect(clusterSpec.sshKeys).toEqual({ hcloud: variable('sshKeys').default });
    expect(at(cpMachines, '/spec/template/spec/placementGroupName')).toBeUndefined();
  });

  it('registers nodes with the external cloud provider under the server name', () => {
    const kcp = byName('KubeadmControlPlaneTemplate', `${CLASS}-control-plane`);
    const spec = at(kcp, '/spec/template/spec/kubeadmConfigSpec') as Json;
    expect(at(spec, '/clusterConfiguration/controllerManager/extraArgs/cloud-provider')).toBe('external');
    const worker = byName('KubeadmConfigTemplate', `${CLASS}-default-worker`);
    for (const registration of [at(spec, '/initConfiguration/nodeRegistration'), at(spec, '/joinConfiguration/nodeRegistration'), at(worker, '/spec/template/spec/joinConfiguration/nodeRegistration')]) {
      expect(registration).toMatchObject({ name: '{{ local_hostname }}', kubeletExtraArgs: { 'cloud-provider': 'external' } });
    }
  });
});

describe('variables and patches', () => {
  it('type the Hetzner choices as enums and patterns, so the webhook refuses typos', () => {
    expect(variable('region').enum).toEqual(['fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin']);
    expect(variable('loadBalancerType').enum).toEqual(['lb11', 'lb21', 'lb31']);
    expect(variable('loadBalancerRegion').enum).toEqual(['', 'fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin']);
    const pattern = new RegExp(String(variable('controlPlaneServerType').pattern));
    for (const ok of ['cpx32', 'cx23', 'ccx13', 'cax11']) expect(ok).toMatch(pattern);
    for (const bad of ['CPX32', 'cpx 32', '', 'cpx']) expect(bad).not.toMatch(pattern);
    expect(variable('privateNetworkCIDR').format).toBe('cidr');
    expect(variable('sshKeys')).toMatchObject({ type: 'array', items: { type: 'string', minLength: 1 }, default: [] });
  });

  it('declares the generic features and the hardening switches after the Hetzner variables, none required', () => {
    const names = clusterClass.spec.variables.map((v) => v.name);
    expect(names.slice(0, 15)).toEqual([
      'region', 'loadBalancerType', 'loadBalancerRegion', 'privateNetwork', 'privateNetworkCIDR', 'privateNetworkSubnetCIDR',
      'hcloudTokenSecretName', 'hcloudTokenSecretKey', 'sshKeys', 'imageName', 'imageAddVersion',
      'controlPlaneServerType', 'workerServerType', 'controlPlanePlacementGroup', 'workerPlacementGroup',
    ]);
    expect(names.slice(15, 18)).toEqual(['imageRepository', 'certSANs', 'oidcConfig']);
    expect(names.slice(18)).toEqual([
      'restrictAnonymousAuth', 'kubeletServingCertificates', 'encryptionAtRestSecretName', 'exposeControlPlaneMetrics', 'admissionAlwaysPullImages',
      'serviceAccountExtendTokenExpiration', 'kubeletPodPidsLimit', 'kubeletSeccompDefault', 'kubeletStreamingConnectionIdleTimeoutMinutes',
    ]);
    expect(clusterClass.spec.variables.filter((v) => v.required)).toEqual([]);
  });

  it('derives the private network zone from the region', () => {
    const template = String(patch('privateNetwork').definitions[0].jsonPatches[0].valueFrom?.template);
    expect(template).toContain('(eq .region "ash")');
    for (const zone of ['us-east', 'us-west', 'ap-southeast', 'eu-central']) expect(template).toContain(`"${zone}"`);
    expect(template).toContain('{{ else }}{"enabled":false}{{ end }}');
  });

  it('falls back to the region for the load balancer when loadBalancerRegion is empty', () => {
    expect(patch('loadBalancerRegion').definitions[0].jsonPatches[0]).toEqual({
      op: 'replace',
      path: '/spec/template/spec/controlPlaneLoadBalancer/region',
      valueFrom: { template: '{{ ternary .loadBalancerRegion .region (ne .loadBalancerRegion "") | toJson }}' },
    });
  });

  it('creates a placement group on the cluster and references it from the machines of the same role', () => {
    for (const [name, group, role] of [['controlPlanePlacementGroup', 'control-plane', { controlPlane: true }], ['workerPlacementGroup', 'default-worker', { machineDeploymentClass: { names: ['default-worker'] } }]] as const) {
      const p = patch(name);
      expect(p.enabledIf).toBe(`{{ if .${name} }}true{{ end }}`);
      expect(p.definitions).toEqual([
        { selector: expect.objectContaining({ kind: 'HetznerClusterTemplate' }), jsonPatches: [{ op: 'add', path: '/spec/template/spec/hcloudPlacementGroups/-', value: { name: group, type: 'spread' } }] },
        { selector: expect.objectContaining({ kind: 'HCloudMachineTemplate', matchResources: role }), jsonPatches: [{ op: 'add', path: '/spec/template/spec/placementGroupName', value: group }] },
      ]);
    }
  });

  it('appends the Kubernetes version of each role to the image name with imageAddVersion', () => {
    for (const [name, version] of [['controlPlaneImage', '.builtin.controlPlane.version'], ['workerImage', '.builtin.machineDeployment.version']]) {
      const template = String(patch(name).definitions[0].jsonPatches[0].valueFrom?.template);
      for (const part of ['.imageName', '.imageAddVersion', version, '"-"']) expect(template, name).toContain(part);
    }
  });
});

describe('security baseline', () => {
  it('passes every static check of the baseline with no deviation', () => {
    for (const b of bundles) {
      const results = runStaticChecks(hardeningObjects(b));
      expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status}`), b.path).toEqual([]);
    }
  });
});

describe('node-images.yaml', () => {
  it.each(versions.map((r) => [r.kubernetes] as const))('describes the snapshot of Kubernetes %s that the default imageName finds, and how to build it', (kubernetes) => {
    const minor = kubernetes.split('.').slice(0, 2).join('-');
    const images = documents(bundleFor(minor), 'node-images.yaml');
    expect(images).toHaveLength(1);
    const image = images[0];
    const name = `${String(variable('imageName').default)}-v${kubernetes}`;
    expect(image).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    expect(image.data).toMatchObject({ imageName: name, kubernetesVersion: `v${kubernetes}`, snapshotLabel: `caph-image-name=${name}` });
    const build = String(image.data?.build);
    expect(build).toContain('https://github.com/kubernetes-sigs/image-builder');
    expect(build).toContain('make build-hcloud-ubuntu-2404');
    expect(build).toContain(`--var 'image_name=${name}'`);
    expect(build).toContain(`--var 'kubernetes_semver=v${kubernetes}'`);
    expect(build).toContain(`--var 'kubernetes_deb_version=${kubernetes}-1.1'`);
  });
});

describe('addons', () => {
  it.each([
    ['1-32', '1.30.1', '2.20.2'],
    ['1-33', '1.35.0', '2.22.1'],
    ['1-34', '1.35.0', '2.22.1'],
  ])('pins the %s Hetzner CCM to %s and CSI to %s (their version policies)', (minor, ccm, csi) => {
    const bundle = bundleFor(minor);
    expect((yaml.load(file(bundle, 'cluster-addon/ccm/Chart.yaml')) as { dependencies: Json[] }).dependencies).toEqual([
      { name: 'hcloud-cloud-controller-manager', alias: 'hcloud-cloud-controller-manager', repository: 'https://charts.hetzner.cloud', version: ccm },
    ]);
    expect((yaml.load(file(bundle, 'cluster-addon/csi/Chart.yaml')) as { dependencies: Json[] }).dependencies).toEqual([
      { name: 'hcloud-csi', alias: 'hcloud-csi', repository: 'https://charts.hetzner.cloud', version: csi },
    ]);
  });

  it('ships Cilium, kubelet-csr-approver and metrics-server exactly as docker/scs does (the shared addons)', () => {
    const docker = synthesize([dockerScs]).find((b) => b.path === 'docker/scs/1-34');
    if (!docker) throw new Error('docker/scs/1-34 is not synthesized');
    const shared = (b: Bundle) => b.files.filter((f) => /^cluster-addon\/(cni|kubelet-csr-approver|metrics-server)\//.test(f.path));
    expect(shared(b134).length).toBeGreaterThan(0);
    expect(shared(b134)).toEqual(shared(docker));
  });

  /** `{{ $name := <default> }}` of each variable an overwrite.yaml reads, as the prelude writes it. */
  function overwriteFallbacks(path: string): Record<string, unknown> {
    const values = (yaml.load(file(b134, path)) as { values: string }).values;
    return Object.fromEntries([...values.matchAll(/\{\{ \$([A-Za-z]+) := ("[^"]*"|true|false) \}\}\{\{ with \.Cluster\.spec\.topology \}\}/g)].map((m) => [m[1], JSON.parse(m[2]) as unknown]));
  }

  it('reads the token Secret, region and private network from the Cluster\'s variables, falling back to the ClusterClass defaults', () => {
    const ccm = overwriteFallbacks('cluster-addon/ccm/overwrite.yaml');
    expect(ccm).toEqual({
      hcloudTokenSecretName: variable('hcloudTokenSecretName').default,
      hcloudTokenSecretKey: variable('hcloudTokenSecretKey').default,
      region: variable('region').default,
      privateNetwork: variable('privateNetwork').default,
    });
    const csi = overwriteFallbacks('cluster-addon/csi/overwrite.yaml');
    expect(csi).toEqual({ hcloudTokenSecretName: ccm.hcloudTokenSecretName, hcloudTokenSecretKey: ccm.hcloudTokenSecretKey, region: ccm.region });
  });

  it('wires the CCM to the Secret CAPH copies into the workload cluster, with the network ID optional', () => {
    const values = (yaml.load(file(b134, 'cluster-addon/ccm/overwrite.yaml')) as { values: string }).values;
    const body = yaml.load(values.split('\n').filter((l) => !l.startsWith('{{ $')).join('\n').replace(/\{\{ ([^}]*) \| toJson \}\}/g, (_m, e: string) => JSON.stringify(`<${e}>`))) as Json;
    expect(body).toEqual({
      'hcloud-cloud-controller-manager': {
        env: {
          HCLOUD_TOKEN: { valueFrom: { secretKeyRef: { name: '<$hcloudTokenSecretName>', key: '<$hcloudTokenSecretKey>' } } },
          HCLOUD_NETWORK: { valueFrom: { secretKeyRef: { name: '<$hcloudTokenSecretName>', key: 'network', optional: true } } },
          HCLOUD_LOAD_BALANCERS_LOCATION: { value: '<$region>' },
          HCLOUD_LOAD_BALANCERS_USE_PRIVATE_IP: { value: '<ternary "true" "false" $privateNetwork>' },
        },
      },
    });
    // Cilium routes pod traffic; the CCM's route controller stays off.
    expect(yaml.load(file(b134, 'cluster-addon/ccm/values.yaml'))).toEqual({
      'hcloud-cloud-controller-manager': { networking: { enabled: false }, env: { HCLOUD_NETWORK_ROUTES_ENABLED: { value: 'false' } } },
    });
  });

  it('stages the CNI first and the cloud provider components last', () => {
    const config = yaml.load(file(b134, 'clusteraddon.yaml')) as { addonStages: Record<string, { name: string }[]> };
    for (const stage of ['AfterControlPlaneInitialized', 'BeforeClusterUpgrade']) {
      expect(config.addonStages[stage].map((s) => s.name)).toEqual(['cni', 'kubelet-csr-approver', 'metrics-server', 'csi', 'ccm']);
    }
  });
});
