import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { synthesize, type Bundle } from '../../lib/pipeline/synth.ts';
import { openstackScs } from '../../stacks/openstack/scs/stack.ts';

const bundles = synthesize([openstackScs]);
const CLASS = 'openstack-scs-1-34-v1';
const IMAGE_SHA256 = 'f7bf12297833cca14de6d24081c8a01e99143651e4c01431b911375300550fe0';
const IMAGE_URL = 'https://nbg1.your-objectstorage.com/osism/openstack-k8s-capi-images/ubuntu-2404-kube-v1.34/ubuntu-2404-kube-v1.34.7.qcow2';

function bundleFor(minor: string): Bundle {
  const found = bundles.find((b) => b.path === `openstack/scs/${minor}`);
  if (!found) throw new Error(`openstack/scs/${minor} is not synthesized`);
  return found;
}

const b134 = bundleFor('1-34');

function file(bundle: Bundle, path: string): string {
  const found = bundle.files.find((f) => f.path === path);
  if (!found) throw new Error(`${bundle.path}: no ${path}`);
  return found.content;
}

type Json = Record<string, unknown>;
interface Ref {
  apiVersion: string;
  kind: string;
  name: string;
}
interface JsonPatchEntry {
  op: string;
  path: string;
  value?: unknown;
  valueFrom?: { variable?: string; template?: string };
}
interface ClusterClassJson {
  metadata: { name: string };
  spec: {
    infrastructure: { ref: Ref };
    controlPlane: { ref: Ref; machineInfrastructure: { ref: Ref } };
    workers: { machineDeployments: { class: string; template: { bootstrap: { ref: Ref }; infrastructure: { ref: Ref } } }[] };
    variables: { name: string; required: boolean; schema: { openAPIV3Schema: Json & { default?: unknown; enum?: unknown[]; properties?: Record<string, Json> } } }[];
    patches: {
      name: string;
      enabledIf?: string;
      definitions: { selector: { apiVersion: string; kind: string; matchResources: Json }; jsonPatches: JsonPatchEntry[] }[];
    }[];
  };
}

function documents(bundle: Bundle, path: string): (Json & { apiVersion: string; kind: string; metadata: { name: string } })[] {
  return yaml.loadAll(file(bundle, path)) as (Json & { apiVersion: string; kind: string; metadata: { name: string } })[];
}

const docs = documents(b134, 'cluster-class.yaml');
const clusterClass = docs[0] as unknown as ClusterClassJson;
const variable = (name: string) => {
  const v = clusterClass.spec.variables.find((x) => x.name === name);
  if (!v) throw new Error(`variable ${name} is not declared`);
  return v.schema.openAPIV3Schema;
};
const patch = (name: string) => {
  const p = clusterClass.spec.patches.find((x) => x.name === name);
  if (!p) throw new Error(`patch ${name} is missing`);
  return p;
};

/** The SCS scs2 parity list of ClusterClass variables. */
const SCS2_VARIABLES = [
  'imageName', 'imageIsOrc', 'imageAddVersion', 'disableAPIServerFloatingIP', 'networkExternalID', 'networkMTU', 'dnsNameservers', 'nodeCIDR',
  'controlPlaneFlavor', 'controlPlaneRootDisk', 'controlPlaneServerGroupID', 'controlPlaneAvailabilityZones', 'controlPlaneOmitAvailabilityZone',
  'workerFlavor', 'workerRootDisk', 'workerServerGroupID', 'workerAdditionalBlockDevices', 'sshKeyName', 'securityGroups', 'securityGroupIDs',
  'workerSecurityGroups', 'workerSecurityGroupIDs', 'identityRef', 'certSANs', 'apiServerLoadBalancer', 'apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs', 'oidcConfig',
];

/** The hardening variables (N1–N9 of ../shared/docs/hardening.md), declared after the scs2 list. */
const HARDENING_VARIABLES = [
  'restrictAnonymousAuth', 'kubeletServingCertificates', 'encryptionAtRestSecretName', 'exposeControlPlaneMetrics', 'admissionAlwaysPullImages',
  'serviceAccountExtendTokenExpiration', 'kubeletPodPidsLimit', 'kubeletSeccompDefault', 'kubeletStreamingConnectionIdleTimeoutMinutes',
];

describe('openstack/scs 1.34 bundle', () => {
  it('is named openstack-scs-1-34-v1 and holds exactly the expected files', () => {
    expect(b134.clusterClassName).toBe(CLASS);
    expect(b134.releaseTag).toBe(CLASS);
    expect(b134.files.map((f) => f.path)).toEqual([
      'cluster-addon/ccm/Chart.yaml',
      'cluster-addon/ccm/overwrite.yaml',
      'cluster-addon/ccm/values.yaml',
      'cluster-addon/cni/Chart.yaml',
      'cluster-addon/cni/values.yaml',
      'cluster-addon/csi/Chart.yaml',
      'cluster-addon/csi/overwrite.yaml',
      'cluster-addon/csi/values.yaml',
      'cluster-addon/kubelet-csr-approver/Chart.yaml',
      'cluster-addon/kubelet-csr-approver/values.yaml',
      'cluster-addon/metrics-server/Chart.yaml',
      'cluster-addon/metrics-server/overwrite.yaml',
      'cluster-addon/metrics-server/values.yaml',
      'cluster-class.yaml',
      'clusteraddon.yaml',
      'helm-chart-proxies.yaml',
      'kustomization.yaml',
      'metadata.yaml',
      'node-image/SHA256SUMS',
      'node-image/build.sh',
      'node-image/packer-variables.json',
      'node-images.yaml',
    ]);
  });
});

describe('ClusterClass', () => {
  it('comes first and references templates named <class>-<role>', () => {
    expect(docs[0].kind).toBe('ClusterClass');
    expect(clusterClass.metadata.name).toBe(CLASS);
    const infra = 'infrastructure.cluster.x-k8s.io/v1beta1';
    expect(clusterClass.spec.infrastructure.ref).toEqual({ apiVersion: infra, kind: 'OpenStackClusterTemplate', name: `${CLASS}-cluster` });
    expect(clusterClass.spec.controlPlane.ref).toEqual({ apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', name: `${CLASS}-control-plane` });
    expect(clusterClass.spec.controlPlane.machineInfrastructure.ref).toEqual({ apiVersion: infra, kind: 'OpenStackMachineTemplate', name: `${CLASS}-control-plane` });
    expect(clusterClass.spec.workers.machineDeployments).toEqual([
      {
        class: 'default-worker',
        template: {
          bootstrap: { ref: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: `${CLASS}-default-worker` } },
          infrastructure: { ref: { apiVersion: infra, kind: 'OpenStackMachineTemplate', name: `${CLASS}-default-worker` } },
        },
      },
    ]);
  });

  it('is followed by exactly the templates it references, in class order', () => {
    expect(docs.slice(1).map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      `OpenStackClusterTemplate/${CLASS}-cluster`,
      `KubeadmControlPlaneTemplate/${CLASS}-control-plane`,
      `OpenStackMachineTemplate/${CLASS}-control-plane`,
      `KubeadmConfigTemplate/${CLASS}-default-worker`,
      `OpenStackMachineTemplate/${CLASS}-default-worker`,
    ]);
  });

  it('declares the 27 variables of the SCS scs2 parity list, then the 9 hardening variables, none required', () => {
    const names = clusterClass.spec.variables.map((v) => v.name);
    expect(names).toHaveLength(36);
    expect([...names.slice(0, 27)].sort()).toEqual([...SCS2_VARIABLES].sort());
    expect(names.slice(27)).toEqual(HARDENING_VARIABLES);
    expect(clusterClass.spec.variables.filter((v) => v.required).map((v) => v.name)).toEqual([]);
  });

  it.each([
    ['controlPlaneFlavor', 'SCS-2V-4'],
    ['workerFlavor', 'SCS-4V-8'],
    ['controlPlaneRootDisk', 50],
    ['workerRootDisk', 50],
    ['apiServerLoadBalancer', 'octavia-ovn'],
    ['nodeCIDR', '10.8.0.0/20'],
    ['dnsNameservers', ['9.9.9.9', '149.112.112.112']],
    ['imageName', 'ubuntu-capi-image'],
    ['imageIsOrc', false],
    ['imageAddVersion', true],
    ['disableAPIServerFloatingIP', false],
    ['controlPlaneServerGroupID', ''],
    ['workerServerGroupID', ''],
    ['sshKeyName', ''],
    ['securityGroups', []],
    ['securityGroupIDs', []],
    ['workerSecurityGroups', []],
    ['workerSecurityGroupIDs', []],
    ['workerAdditionalBlockDevices', []],
    ['certSANs', []],
    ['identityRef', {}],
    // Hardening: the safe defaults the templates carry.
    ['restrictAnonymousAuth', true],
    ['kubeletServingCertificates', true],
    ['encryptionAtRestSecretName', ''],
    ['exposeControlPlaneMetrics', false],
    ['admissionAlwaysPullImages', false],
    ['serviceAccountExtendTokenExpiration', false],
    ['kubeletPodPidsLimit', 4096],
    ['kubeletSeccompDefault', true],
    ['kubeletStreamingConnectionIdleTimeoutMinutes', 5],
  ] as [string, unknown][])('defaults %s to %j', (name, expected) => {
    expect(variable(name).default).toEqual(expected);
  });

  it.each(['networkExternalID', 'networkMTU', 'controlPlaneAvailabilityZones', 'controlPlaneOmitAvailabilityZone', 'apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs', 'oidcConfig'])(
    'leaves %s without a default, so its patch stays off',
    (name) => {
      expect(variable(name)).not.toHaveProperty('default');
    },
  );

  it('types the variables like scs2', () => {
    expect(variable('apiServerLoadBalancer').enum).toEqual(['none', 'octavia-amphora', 'octavia-ovn']);
    expect(variable('networkMTU')).toMatchObject({ type: 'integer', minimum: 68 });
    expect(variable('controlPlaneRootDisk')).toMatchObject({ type: 'integer', minimum: 0 });
    expect(variable('networkExternalID')).toMatchObject({ type: 'string', format: 'uuid4' });
    expect(variable('nodeCIDR')).toMatchObject({ type: 'string', format: 'cidr' });
    expect(variable('securityGroupIDs')).toMatchObject({ type: 'array', items: { type: 'string', format: 'uuid4' } });
    expect(variable('identityRef').properties).toMatchObject({ name: { type: 'string', default: 'openstack' }, cloudName: { type: 'string', default: 'openstack' } });
    expect(Object.keys(variable('oidcConfig').properties ?? {}).sort()).toEqual(['clientID', 'groupsClaim', 'groupsPrefix', 'issuerURL', 'usernameClaim', 'usernamePrefix']);
    expect(variable('oidcConfig').properties?.issuerURL).toMatchObject({ pattern: '^https://' });
    expect(variable('encryptionAtRestSecretName')).toMatchObject({ type: 'string', pattern: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' });
    expect(variable('kubeletPodPidsLimit')).toMatchObject({ type: 'integer', minimum: 64, maximum: 4194304 });
    expect(variable('kubeletStreamingConnectionIdleTimeoutMinutes')).toMatchObject({ type: 'integer', minimum: 1, maximum: 240 });
  });

  it('orders patches so that IDs win over names and worker groups over shared ones, and adds the hardening patches last', () => {
    const names = clusterClass.spec.patches.map((p) => p.name);
    const order = ['securityGroups', 'securityGroupIDs', 'workerSecurityGroups', 'workerSecurityGroupIDs'].map((n) => names.indexOf(n));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(names).toEqual([
      'apiServerLoadBalancerOctaviaAmphora', 'apiServerLoadBalancerOctaviaOVN', 'apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs',
      'networkExternalID', 'networkMTU', 'controlPlaneAvailabilityZones', 'controlPlaneOmitAvailabilityZone', 'identityRef', 'nodeCIDRSubnet', 'disableAPIServerFloatingIP',
      'controlPlaneImage', 'controlPlaneFlavor', 'controlPlaneRootDisk', 'controlPlaneServerGroupID',
      'securityGroups', 'securityGroupIDs', 'sshKeyName',
      'workerImage', 'workerFlavor', 'workerRootDisk', 'workerServerGroupID', 'workerAdditionalBlockDevices',
      'workerSecurityGroups', 'workerSecurityGroupIDs', 'certSANs', 'oidcConfig',
      'unrestrictedAnonymousAuth', 'authenticationConfig', 'kubeletSelfSignedServingCertificates', 'encryptionAtRest', 'exposeControlPlaneMetrics',
      'admissionAlwaysPullImages', 'serviceAccountExtendTokenExpiration', 'kubeletTradeOffs',
    ]);
  });

  it('points authentication-config at the OIDC file when OIDC is on, else at the unrestricted one when the restriction is off; one patch owns the flag', () => {
    expect(patch('authenticationConfig').enabledIf).toBe(
      '{{ if or (not .restrictAnonymousAuth) (and (and .oidcConfig .oidcConfig.clientID) (and .oidcConfig .oidcConfig.issuerURL)) }}true{{ end }}',
    );
    expect(patch('authenticationConfig').definitions[0].jsonPatches).toEqual([
      {
        op: 'add',
        path: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraArgs/authentication-config',
        valueFrom: {
          template:
            '{{ if and (and .oidcConfig .oidcConfig.clientID) (and .oidcConfig .oidcConfig.issuerURL) }}"/etc/kubernetes/authentication/authentication-config-oidc.yaml"{{ else }}"/etc/kubernetes/authentication/authentication-config-unrestricted.yaml"{{ end }}',
        },
      },
    ]);
    expect(patch('unrestrictedAnonymousAuth').enabledIf).toBe(
      '{{ if and (not .restrictAnonymousAuth) (not (and (and .oidcConfig .oidcConfig.clientID) (and .oidcConfig .oidcConfig.issuerURL))) }}true{{ end }}',
    );
  });

  it('takes the encryption configuration from the Secret named by encryptionAtRestSecretName, never inline', () => {
    const p = patch('encryptionAtRest');
    expect(p.enabledIf).toBe('{{ if ne .encryptionAtRestSecretName "" }}true{{ end }}');
    expect(p.definitions[0].jsonPatches).toEqual([
      {
        op: 'add',
        path: '/spec/template/spec/kubeadmConfigSpec/files/-',
        valueFrom: {
          template:
            '{"path":"/etc/kubernetes/encryption/encryption-config.yaml","owner":"root:root","permissions":"0600","contentFrom":{"secret":{"name":{{ .encryptionAtRestSecretName | toJson }},"key":"encryption-config.yaml"}}}',
        },
      },
      {
        op: 'add',
        path: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraVolumes/-',
        value: { name: 'encryption', hostPath: '/etc/kubernetes/encryption', mountPath: '/etc/kubernetes/encryption', readOnly: true, pathType: 'DirectoryOrCreate' },
      },
      { op: 'add', path: '/spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraArgs/encryption-provider-config', value: '/etc/kubernetes/encryption/encryption-config.yaml' },
    ]);
  });

  it('overrides the kubelet trade-offs on every node only when a variable differs from the baseline', () => {
    const p = patch('kubeletTradeOffs');
    expect(p.enabledIf).toBe('{{ if or (ne .kubeletPodPidsLimit 4096.0) (not .kubeletSeccompDefault) (ne .kubeletStreamingConnectionIdleTimeoutMinutes 5.0) }}true{{ end }}');
    expect(p.definitions.map((d) => [d.selector.kind, d.selector.matchResources, d.jsonPatches.map((j) => j.path)])).toEqual([
      ['KubeadmControlPlaneTemplate', { controlPlane: true }, ['/spec/template/spec/kubeadmConfigSpec/files/-']],
      ['KubeadmConfigTemplate', { machineDeploymentClass: { names: ['default-worker'] } }, ['/spec/template/spec/files/-']],
    ]);
  });

  it('switches the API server load balancer on the enum value', () => {
    expect(patch('apiServerLoadBalancerOctaviaOVN').enabledIf).toBe('{{ if eq .apiServerLoadBalancer "octavia-ovn" }}true{{ end }}');
    expect(patch('apiServerLoadBalancerOctaviaOVN').definitions[0].jsonPatches).toEqual([
      { op: 'replace', path: '/spec/template/spec/apiServerLoadBalancer/enabled', value: true },
      { op: 'add', path: '/spec/template/spec/apiServerLoadBalancer/provider', value: 'ovn' },
    ]);
    expect(patch('apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs').enabledIf).toBe(
      '{{ if and .apiServerLoadBalancerOctaviaAmphoraAllowedCIDRs (eq .apiServerLoadBalancer "octavia-amphora") }}true{{ end }}',
    );
  });

  it('builds the image name from imageName, imageAddVersion and the builtin version', () => {
    const worker = patch('workerImage').definitions[0].jsonPatches[0];
    expect(worker.path).toBe('/spec/template/spec/image');
    expect(worker.valueFrom?.template).toBe(
      '{{ if .imageIsOrc }}{"imageRef":{"name":{{ printf "%v%v" .imageName (ternary (printf "%v%v" "-" .builtin.machineDeployment.version) "" .imageAddVersion) | toJson }}}}' +
        '{{ else }}{"filter":{"name":{{ printf "%v%v" .imageName (ternary (printf "%v%v" "-" .builtin.machineDeployment.version) "" .imageAddVersion) | toJson }}}}{{ end }}',
    );
    expect(patch('controlPlaneImage').definitions[0].jsonPatches[0].valueFrom?.template).toContain('.builtin.controlPlane.version');
    expect(patch('controlPlaneImage').definitions[0].selector.matchResources).toEqual({ controlPlane: true });
    expect(patch('workerImage').definitions[0].selector.matchResources).toEqual({ machineDeploymentClass: { names: ['default-worker'] } });
  });

  it('writes the OIDC AuthenticationConfiguration from the fields of oidcConfig, guarded by its parent, with no --oidc-* flags', () => {
    const oidc = patch('oidcConfig');
    expect(oidc.enabledIf).toBe('{{ if and (and .oidcConfig .oidcConfig.clientID) (and .oidcConfig .oidcConfig.issuerURL) }}true{{ end }}');
    const ops = oidc.definitions[0].jsonPatches;
    expect(ops.map((p) => p.path)).toEqual(['/spec/template/spec/kubeadmConfigSpec/files/-']);
    const template = String(ops[0].valueFrom?.template);
    for (const field of ['issuerURL', 'clientID', 'usernameClaim', 'groupsClaim', 'groupsPrefix']) expect(template).toContain(`.oidcConfig.${field} | toJson | toJson`);
    // --oidc-username-prefix=- meant no prefix.
    expect(template).toContain('ternary "" .oidcConfig.usernamePrefix (eq .oidcConfig.usernamePrefix "-") | toJson | toJson');
    expect(template).toContain('authentication-config-oidc.yaml');
    expect(template).toContain('" "" .restrictAnonymousAuth }}');
  });

  it('creates the node subnet from nodeCIDR and dnsNameservers', () => {
    expect(patch('nodeCIDRSubnet').definitions[0].jsonPatches).toEqual([
      {
        op: 'add',
        path: '/spec/template/spec/managedSubnets',
        valueFrom: { template: '[{"cidr":{{ .nodeCIDR | toJson }},"dnsNameservers":{{ .dnsNameservers | toJson }}}]' },
      },
    ]);
  });
});

describe('templates', () => {
  const byName = (kind: string, name: string) => {
    const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
    if (!d) throw new Error(`${kind}/${name} is missing`);
    return d as unknown as Json & { spec: { template: { spec: Json } } };
  };

  it('gives the machine templates the default flavors and the versioned image as placeholders', () => {
    expect(byName('OpenStackMachineTemplate', `${CLASS}-control-plane`).spec.template.spec).toEqual({ flavor: 'SCS-2V-4', image: { filter: { name: 'ubuntu-capi-image-v1.34.7' } } });
    expect(byName('OpenStackMachineTemplate', `${CLASS}-default-worker`).spec.template.spec).toEqual({ flavor: 'SCS-4V-8', image: { filter: { name: 'ubuntu-capi-image-v1.34.7' } } });
  });

  it('gives the cluster template the default identity, a disabled load balancer and the Cilium rules', () => {
    const spec = byName('OpenStackClusterTemplate', `${CLASS}-cluster`).spec.template.spec as {
      identityRef: Json;
      apiServerLoadBalancer: Json;
      managedSecurityGroups: { allowAllInClusterTraffic: boolean; allNodesSecurityGroupRules: Json[] };
    };
    expect(spec.identityRef).toEqual({ name: 'openstack', cloudName: 'openstack', type: 'Secret' });
    expect(spec.apiServerLoadBalancer).toEqual({ enabled: false });
    expect(spec.managedSecurityGroups.allowAllInClusterTraffic).toBe(false);
    expect(spec.managedSecurityGroups.allNodesSecurityGroupRules.map((r) => [r.protocol, r.portRangeMin, r.portRangeMax])).toEqual([
      ['udp', 8472, 8472],
      ['tcp', 4240, 4240],
      ['tcp', 4244, 4244],
    ]);
  });

  it('registers nodes with the external cloud provider', () => {
    const kcp = byName('KubeadmControlPlaneTemplate', `${CLASS}-control-plane`).spec.template.spec as {
      kubeadmConfigSpec: { initConfiguration: { nodeRegistration: Json }; clusterConfiguration: { controllerManager: { extraArgs: Json } } };
    };
    expect(kcp.kubeadmConfigSpec.initConfiguration.nodeRegistration).toEqual({
      name: '{{ local_hostname }}',
      kubeletExtraArgs: { 'cloud-provider': 'external', 'provider-id': 'openstack:///{{ instance_id }}' },
    });
    expect(kcp.kubeadmConfigSpec.clusterConfiguration.controllerManager.extraArgs).toEqual({
      'cloud-provider': 'external',
      // Hardening (CIS 1.3.1–1.3.3, 1.3.7) on top of the stack's own argument.
      'bind-address': '127.0.0.1',
      profiling: 'false',
      'terminated-pod-gc-threshold': '1000',
      'use-service-account-credentials': 'true',
    });
  });

  it('keeps the tuned etcd arguments next to the hardened ones', () => {
    const kcp = byName('KubeadmControlPlaneTemplate', `${CLASS}-control-plane`).spec.template.spec as { kubeadmConfigSpec: { clusterConfiguration: { etcd: { local: Json } } } };
    expect(kcp.kubeadmConfigSpec.clusterConfiguration.etcd.local).toEqual({
      dataDir: '/var/lib/etcd',
      extraArgs: {
        'election-timeout': '2500',
        'heartbeat-interval': '250',
        'snapshot-count': '6400',
        'auto-compaction-mode': 'periodic',
        'auto-compaction-retention': '8h',
        'auto-tls': 'false',
        'cipher-suites':
          'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
        'client-cert-auth': 'true',
        'listen-metrics-urls': 'http://127.0.0.1:2381',
        'peer-auto-tls': 'false',
        'peer-client-cert-auth': 'true',
      },
    });
  });

  it('sets protectKernelDefaults with its sysctls on the control plane and the workers alike', () => {
    type Node = { files: { path: string; content?: string }[]; preKubeadmCommands: string[]; postKubeadmCommands: string[] };
    const kcs = (byName('KubeadmControlPlaneTemplate', `${CLASS}-control-plane`).spec.template.spec as { kubeadmConfigSpec: Node }).kubeadmConfigSpec;
    const worker = byName('KubeadmConfigTemplate', `${CLASS}-default-worker`).spec.template.spec as unknown as Node;
    const nodeFiles = ['/etc/kubernetes/patches/kubeletconfiguration0+strategic.json', '/etc/sysctl.d/90-kubelet.conf'];
    expect(worker.files.map((f) => f.path)).toEqual(nodeFiles);
    expect(worker.files).toEqual(kcs.files.filter((f) => nodeFiles.includes(f.path)));
    expect(JSON.parse(worker.files[0].content ?? '{}')).toMatchObject({ protectKernelDefaults: true, podPidsLimit: 4096, seccompDefault: true });
    expect(worker.files[1].content).toBe(
      'vm.overcommit_memory = 1\nvm.panic_on_oom = 0\nkernel.panic = 10\nkernel.panic_on_oops = 1\nkernel.keys.root_maxkeys = 1000000\nkernel.keys.root_maxbytes = 25000000\n',
    );
    expect(worker.preKubeadmCommands).toEqual(['sysctl --system']);
    expect(kcs.preKubeadmCommands).toEqual(['bash /etc/kube-proxy-patch.sh', 'getent group etcd >/dev/null || groupadd --system etcd', 'getent passwd etcd >/dev/null || useradd --system --gid etcd --home-dir /var/lib/etcd --no-create-home --shell /usr/sbin/nologin etcd', 'install -d -m 0700 -o etcd -g etcd /var/lib/etcd', 'sysctl --system']);
    expect(worker.postKubeadmCommands).toEqual(['chmod 600 /var/lib/kubelet/config.yaml', 'for f in /etc/systemd/system/kubelet.service.d/10-kubeadm.conf /etc/systemd/system/kubelet.service /lib/systemd/system/kubelet.service /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf; do [ ! -e "$f" ] || chmod 600 "$f"; done']);
    expect(kcs.postKubeadmCommands).toEqual(['chmod 600 /var/lib/kubelet/config.yaml', 'for f in /etc/systemd/system/kubelet.service.d/10-kubeadm.conf /etc/systemd/system/kubelet.service /lib/systemd/system/kubelet.service /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf; do [ ! -e "$f" ] || chmod 600 "$f"; done']);
  });
});

describe('node-images.yaml', () => {
  it('holds one ORC Image of the Kubernetes version with its sha256 and URL', () => {
    const images = documents(b134, 'node-images.yaml');
    expect(images).toHaveLength(1);
    const image = images[0] as unknown as Json & {
      metadata: { name: string };
      spec: { cloudCredentialsRef: Json; managementPolicy: string; resource: { content: { diskFormat: string; download: { url: string; hash: Json } }; properties: { operatingSystem: Json } } };
    };
    expect(image.apiVersion).toBe('openstack.k-orc.cloud/v1alpha1');
    expect(image.kind).toBe('Image');
    expect(image.metadata.name).toBe('ubuntu-capi-image-v1.34.7');
    // imageIsOrc with the default imageName and imageAddVersion finds this image.
    expect(image.metadata.name).toBe(`${String(variable('imageName').default)}-v1.34.7`);
    expect(image.spec.cloudCredentialsRef).toEqual({ cloudName: 'openstack', secretName: 'openstack' });
    expect(image.spec.managementPolicy).toBe('managed');
    expect(image.spec.resource.content.diskFormat).toBe('qcow2');
    expect(image.spec.resource.content.download).toEqual({ url: IMAGE_URL, hash: { algorithm: 'sha256', value: IMAGE_SHA256 } });
    expect(image.spec.resource.properties.operatingSystem).toEqual({ distro: 'ubuntu', version: '24.04' });
  });
});

describe('addons', () => {
  it.each([
    ['1-34', '2.34.2', '2.34.3'],
    ['1-33', '2.33.1', '2.33.1'],
    ['1-32', '2.32.1', '2.32.2'],
  ])('pins the %s CCM to %s and the Cinder CSI to %s', (minor, ccm, csi) => {
    const bundle = bundleFor(minor);
    expect(yaml.load(file(bundle, 'cluster-addon/ccm/Chart.yaml'))).toEqual({
      apiVersion: 'v2',
      name: 'ccm',
      type: 'application',
      description: 'OpenStack cloud controller manager',
      version: 'v1',
      dependencies: [
        { name: 'openstack-cloud-controller-manager', alias: 'openstack-cloud-controller-manager', repository: 'https://kubernetes.github.io/cloud-provider-openstack', version: ccm },
      ],
    });
    expect((yaml.load(file(bundle, 'cluster-addon/csi/Chart.yaml')) as { dependencies: Json[] }).dependencies).toEqual([
      { name: 'openstack-cinder-csi', alias: 'openstack-cinder-csi', repository: 'https://kubernetes.github.io/cloud-provider-openstack', version: csi },
    ]);
  });

  it.each(['1-32', '1-33', '1-34'])('pins Cilium 1.18.9, kubelet-csr-approver 1.2.14 and metrics-server 3.13.0 for %s', (minor) => {
    const bundle = bundleFor(minor);
    expect((yaml.load(file(bundle, 'cluster-addon/cni/Chart.yaml')) as { dependencies: Json[] }).dependencies).toEqual([
      { name: 'cilium', alias: 'cilium', repository: 'https://helm.cilium.io/', version: '1.18.9' },
    ]);
    expect((yaml.load(file(bundle, 'cluster-addon/metrics-server/Chart.yaml')) as { dependencies: Json[] }).dependencies).toEqual([
      { name: 'metrics-server', alias: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/', version: '3.13.0' },
    ]);
    expect((yaml.load(file(bundle, 'cluster-addon/kubelet-csr-approver/Chart.yaml')) as { dependencies: Json[] }).dependencies).toEqual([
      { name: 'kubelet-csr-approver', alias: 'kubelet-csr-approver', repository: 'https://postfinance.github.io/kubelet-csr-approver', version: '1.2.14' },
    ]);
  });

  /** The values document of an overwrite.yaml, with each `{{ … | toJson }}` action replaced by the JSON of `value`. */
  function overwriteValues(path: string, value: string): unknown {
    const overwrite = yaml.load(file(b134, path)) as { values: string };
    return yaml.load(overwrite.values.replace(/\{\{ [^}]* \| toJson \}\}/g, JSON.stringify(value)));
  }

  it('passes the cluster name to the CCM through overwrite.yaml', () => {
    const overwrite = yaml.load(file(b134, 'cluster-addon/ccm/overwrite.yaml')) as { values: string };
    expect(overwrite.values).toContain('name: {{ .Cluster.metadata.name | toJson }}');
    expect(overwriteValues('cluster-addon/ccm/overwrite.yaml', 'my-cluster')).toEqual({ 'openstack-cloud-controller-manager': { cluster: { name: 'my-cluster' } } });
  });

  it('passes the cluster name to the CSI as clusterID through overwrite.yaml', () => {
    const overwrite = yaml.load(file(b134, 'cluster-addon/csi/overwrite.yaml')) as { values: string };
    expect(overwrite.values).toContain('clusterID: {{ .Cluster.metadata.name | toJson }}');
    expect(overwriteValues('cluster-addon/csi/overwrite.yaml', 'my-cluster')).toEqual({ 'openstack-cinder-csi': { clusterID: 'my-cluster' } });
  });

  it('gives metrics-server --kubelet-insecure-tls only when kubeletServingCertificates is false', () => {
    const overwrite = yaml.load(file(b134, 'cluster-addon/metrics-server/overwrite.yaml')) as { values: string };
    const prelude =
      '{{ $kubeletServingCertificates := true }}{{ with .Cluster.spec.topology }}{{ range .variables }}{{ if eq .name "kubeletServingCertificates" }}{{ $kubeletServingCertificates = .value }}{{ end }}{{ end }}{{ end }}\n';
    expect(overwrite.values).toBe(
      `${prelude}metrics-server:\n  args: {{ ternary (list) (list "--kubelet-insecure-tls") $kubeletServingCertificates | toJson }}\n  commonLabels:\n    domain: {{ .Cluster.spec.controlPlaneEndpoint.host | toJson }}\n`,
    );
    // With the prelude evaluated, the document is the values metrics-server gets.
    const rendered = (args: string[]) =>
      yaml.load(overwrite.values.slice(prelude.length).replace(/\{\{ ternary [^}]* \| toJson \}\}/, JSON.stringify(args)).replace(/\{\{ [^}]* \| toJson \}\}/, '"api.example"'));
    expect(rendered([])).toEqual({ 'metrics-server': { args: [], commonLabels: { domain: 'api.example' } } });
    expect(yaml.load(file(b134, 'cluster-addon/metrics-server/values.yaml'))).toEqual({ 'metrics-server': { fullnameOverride: 'metrics-server' } });
  });

  it('nests the upstream values under the chart name', () => {
    const ccm = yaml.load(file(b134, 'cluster-addon/ccm/values.yaml')) as Record<string, Json>;
    expect(Object.keys(ccm)).toEqual(['openstack-cloud-controller-manager']);
    expect(ccm['openstack-cloud-controller-manager'].cloudConfig).toEqual({ global: { 'use-clouds': true } });
    const csi = yaml.load(file(b134, 'cluster-addon/csi/values.yaml')) as Record<string, Json>;
    expect(Object.keys(csi)).toEqual(['openstack-cinder-csi']);
    expect(csi['openstack-cinder-csi'].storageClass).toEqual({ delete: { isDefault: true } });
  });

  it('stages only the addons the bundle ships, in order', () => {
    const config = yaml.load(file(b134, 'clusteraddon.yaml')) as { apiVersion: string; clusterAddonVersion: string; addonStages: Record<string, { name: string; action: string }[]> };
    expect(config.apiVersion).toBe('clusteraddonconfig.x-k8s.io/v1alpha1');
    expect(config.clusterAddonVersion).toBe('clusteraddons.clusterstack.x-k8s.io/v1alpha1');
    expect(Object.keys(config.addonStages)).toEqual(['AfterControlPlaneInitialized', 'BeforeClusterUpgrade']);
    const apply = ['cni', 'kubelet-csr-approver', 'metrics-server', 'csi', 'ccm'].map((name) => ({ name, action: 'apply' }));
    expect(config.addonStages.AfterControlPlaneInitialized).toEqual(apply);
    expect(config.addonStages.BeforeClusterUpgrade).toEqual(apply);
    const shipped = new Set(b134.files.filter((f) => f.path.endsWith('/Chart.yaml')).map((f) => f.path.split('/')[1]));
    for (const stage of Object.values(config.addonStages)) for (const entry of stage) expect(shipped.has(entry.name), entry.name).toBe(true);
  });
});
