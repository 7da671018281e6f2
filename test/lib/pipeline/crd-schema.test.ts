import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { crdRoot } from '../../../lib/pipeline/crd-root.ts';
import { CRD_JSON_CACHE, crdFileContents, readCrdDocuments, writeCrdCache, writeCrdStamps } from '../../../lib/pipeline/crd-files.ts';
import { CrdSchemaRegistry, SchemaError, validateValue, type JSONSchemaProps } from '../../../lib/pipeline/crd-schema.ts';

// Small hand-written objects of the kinds the cluster stacks generate. Each
// builder returns a fresh object, so a test can change one without affecting
// the others.

function clusterClass(): Record<string, unknown> {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'ClusterClass',
    metadata: { name: 'openstack-scs-1-32-v1', namespace: 'cluster-stacks', labels: { 'app.kubernetes.io/managed-by': 'cdk8s' } },
    spec: {
      controlPlane: {
        ref: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', name: 'openstack-scs-1-32-control-plane-v1' },
        machineInfrastructure: {
          ref: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'OpenStackMachineTemplate', name: 'openstack-scs-1-32-control-plane-v1' },
        },
        machineHealthCheck: { maxUnhealthy: '33%', nodeStartupTimeout: '10m' },
      },
      infrastructure: {
        ref: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'OpenStackClusterTemplate', name: 'openstack-scs-1-32-v1' },
      },
      workers: {
        machineDeployments: [
          {
            class: 'default-worker',
            template: {
              bootstrap: { ref: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: 'openstack-scs-1-32-worker-v1' } },
              infrastructure: { ref: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'OpenStackMachineTemplate', name: 'openstack-scs-1-32-worker-v1' } },
            },
          },
        ],
      },
      variables: [
        {
          name: 'controlPlaneFlavor',
          required: false,
          schema: { openAPIV3Schema: { type: 'string', default: 'SCS-2V-4-20s', description: 'OpenStack flavor of the control plane nodes.' } },
        },
      ],
      patches: [
        {
          name: 'controlPlaneFlavor',
          definitions: [
            {
              selector: {
                apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
                kind: 'OpenStackMachineTemplate',
                matchResources: { controlPlane: true },
              },
              jsonPatches: [{ op: 'replace', path: '/spec/template/spec/flavor', valueFrom: { variable: 'controlPlaneFlavor' } }],
            },
          ],
        },
      ],
    },
  };
}

function kubeadmControlPlaneTemplate(): Record<string, unknown> {
  return {
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
    kind: 'KubeadmControlPlaneTemplate',
    metadata: { name: 'openstack-scs-1-32-control-plane-v1', namespace: 'cluster-stacks' },
    spec: {
      template: {
        spec: {
          kubeadmConfigSpec: {
            clusterConfiguration: {
              apiServer: { extraArgs: { 'cloud-provider': 'external' } },
              controllerManager: { extraArgs: { 'cloud-provider': 'external' } },
            },
            initConfiguration: {
              nodeRegistration: { name: '{{ local_hostname }}', kubeletExtraArgs: { 'cloud-provider': 'external', 'provider-id': 'openstack:///{{ instance_id }}' } },
            },
            joinConfiguration: {
              nodeRegistration: { name: '{{ local_hostname }}', kubeletExtraArgs: { 'cloud-provider': 'external' } },
            },
            files: [{ path: '/etc/kubernetes/audit-policy.yaml', content: 'apiVersion: audit.k8s.io/v1\nkind: Policy\n', owner: 'root:root', permissions: '0600' }],
            preKubeadmCommands: ['systemctl restart containerd'],
            verbosity: 2,
          },
          rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
        },
      },
    },
  };
}

function openStackMachineTemplate(): Record<string, unknown> {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1',
    kind: 'OpenStackMachineTemplate',
    metadata: { name: 'openstack-scs-1-32-worker-v1', namespace: 'cluster-stacks' },
    spec: {
      template: {
        spec: {
          flavor: 'SCS-2V-4-20s',
          image: { filter: { name: 'ubuntu-capi-image-v1.32.5', tags: ['capi'] } },
          // identityRef.type is required but defaulted ("Secret"), so it may be left out.
          identityRef: { name: 'openstack', cloudName: 'openstack' },
          sshKeyName: 'capi-keypair',
          ports: [{ network: { filter: { name: 'k8s-clusterapi-cluster-default' } } }],
          rootVolume: { sizeGiB: 50, type: '__DEFAULT__' },
          securityGroups: [{ filter: { name: 'default' } }],
          tags: ['cluster-stack'],
        },
      },
    },
  };
}

function orcImage(): Record<string, unknown> {
  return {
    apiVersion: 'openstack.k-orc.cloud/v1alpha1',
    kind: 'Image',
    metadata: { name: 'ubuntu-capi-image-v1.32.5', namespace: 'cluster-stacks' },
    spec: {
      cloudCredentialsRef: { cloudName: 'openstack', secretName: 'openstack' },
      managementPolicy: 'managed',
      resource: {
        name: 'ubuntu-capi-image-v1.32.5',
        content: {
          diskFormat: 'qcow2',
          download: {
            url: 'https://swift.services.a.regiocloud.tech/swift/v1/AUTH_b182637428444b9aa302bb8d5a5a418c/openstack-k8s-capi-images/ubuntu-2204-kube-v1.32/ubuntu-2204-kube-v1.32.5.qcow2',
            hash: { algorithm: 'sha256', value: '3f0a1e5c9b2d4e6f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f' },
          },
        },
        properties: { architecture: 'x86_64', minDiskGB: 20, hardware: { diskBus: 'scsi', scsiModel: 'virtio-scsi' } },
        tags: ['cluster-stack'],
        visibility: 'private',
      },
    },
  };
}

/** A deep copy of `obj` with the value at JSON pointer `pointer` replaced, or removed when value is undefined. */
function withChange(obj: Record<string, unknown>, pointer: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  const keys = pointer.split('/').slice(1).map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = keys.pop();
  if (last === undefined) throw new Error(`withChange: empty pointer`);
  let parent: unknown = copy;
  for (const key of keys) {
    parent = Array.isArray(parent) ? parent[Number(key)] : isObject(parent) ? parent[key] : undefined;
    if (parent === undefined) throw new Error(`withChange: ${pointer} does not exist`);
  }
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else if (isObject(parent)) {
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  } else throw new Error(`withChange: parent of ${pointer} is not a container`);
  return copy;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The JSON pointers of the errors, for exact comparisons. */
function pathsOf(errors: readonly SchemaError[]): string[] {
  return errors.map((e) => e.path);
}

let registry: CrdSchemaRegistry;

beforeAll(() => {
  const start = performance.now();
  registry = CrdSchemaRegistry.load();
  const ms = performance.now() - start;
  // Reported, not asserted: timings depend on the machine.
  console.info(
    `CrdSchemaRegistry.load(): ${ms.toFixed(0)} ms (parse ${registry.stats.parseMillis.toFixed(0)} ms; schemas compile on first use), ` +
      `${registry.stats.crds} CRDs, ${registry.stats.servedVersions} served apiVersion/kinds`,
  );
});

describe('the build\'s parsed-CRD cache', () => {
  // Built by test/global-build.ts before the tests, as `npm ci` builds it.
  it('holds, for every pinned CRD, exactly what parsing its YAML gives', () => {
    const files = readdirSync(crdRoot(), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(32);
    for (const f of files) {
      const bytes = readFileSync(join(crdRoot(), f));
      const cached = join(CRD_JSON_CACHE, `${createHash('sha256').update(bytes).digest('hex')}.json`);
      expect(existsSync(cached), f).toBe(true);
      expect(existsSync(cached.replace(/\.json$/, '.served.json')), f).toBe(true);
      expect(readCrdDocuments(join(crdRoot(), f)), f).toEqual(yaml.loadAll(bytes.toString('utf8'), null, { schema: yaml.CORE_SCHEMA }));
    }
  }, 300_000);

  it('gives a registry that describes, picks and validates exactly as one parsed from the YAML', () => {
    const fromSummaries = CrdSchemaRegistry.load();
    const parsed = CrdSchemaRegistry.load(undefined, { useBuildCache: false });
    const described = (r: CrdSchemaRegistry) =>
      r.kinds().map((k) => {
        const [apiVersion, kind] = k.split(' ') as [string, string];
        const info = r.describe(apiVersion, kind);
        return info && { apiVersion: info.apiVersion, kind: info.kind, file: info.file, crdName: info.crdName, namespaced: info.namespaced, storage: info.storage, deprecated: info.deprecated, schema: info.schema };
      });
    expect(fromSummaries.kinds()).toEqual(parsed.kinds());
    expect(fromSummaries.conflicts).toEqual(parsed.conflicts);
    expect(fromSummaries.stats.crds).toBe(parsed.stats.crds);
    expect(described(fromSummaries)).toEqual(described(parsed));
    const broken = withChange(clusterClass(), '/spec/workers/machineDeployments/0/clas', 'x');
    expect(fromSummaries.validate(broken).map(String)).toEqual(parsed.validate(broken).map(String));
    expect(fromSummaries.validate(broken)).not.toEqual([]);
    // The comparison sees a difference where there is one.
    expect(described(CrdSchemaRegistry.load(['capi-v1.13.5'], { useBuildCache: false }))).not.toEqual(described(fromSummaries));
  });

  it('is only a hint: a damaged summary means the file is parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crd-summary-'));
    const source = readFileSync(join(crdRoot(), 'capi-v1.10.9', 'cluster.x-k8s.io_clusterclasses.yaml'), 'utf8').replace('name: clusterclasses.cluster.x-k8s.io', 'name: clusterclasses.cluster.x-k8s.io\n  labels: {damaged-summary-test: "1"}');
    const file = join(dir, 'edited.yaml');
    writeFileSync(file, source);
    const summary = join(CRD_JSON_CACHE, `${createHash('sha256').update(source).digest('hex')}.served.json`);
    try {
      writeFileSync(summary, '{"crds":1,"versions":[');
      expect(CrdSchemaRegistry.load([dir]).describe('cluster.x-k8s.io/v1beta1', 'ClusterClass')?.file).toBe(file);
    } finally {
      rmSync(summary, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stamps every pinned CRD file with the sha256 of its bytes', () => {
    const stamps = JSON.parse(readFileSync(join(CRD_JSON_CACHE, 'stamps.json'), 'utf8')) as { format: number; files: Record<string, [number, number, number, string]> };
    expect(stamps.format).toBe(1);
    const files = readdirSync(crdRoot(), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
    for (const f of files) {
      const path = join(crdRoot(), f);
      expect(stamps.files[path]?.[3], f).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  });

  it('trusts an unchanged stamp without reading the file, reads it again when the stamp changes, and never stamps a file changed just now', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crd-stamps-'));
    const pinned = readdirSync(crdRoot(), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).map((f) => join(crdRoot(), f));
    const source = readFileSync(join(crdRoot(), 'capi-v1.10.9', 'cluster.x-k8s.io_clusterclasses.yaml'), 'utf8');
    const named = (name: string) => source.replace('name: clusterclasses.cluster.x-k8s.io', `name: ${name}.cluster.x-k8s.io`);
    const file = join(dir, 'stamped.yaml');
    const fresh = join(dir, 'fresh.yaml');
    const crdName = () => crdFileContents(file).versions[0]?.info.crdName;
    const old = new Date(Date.now() - 60_000);
    const stampsOf = () => (JSON.parse(readFileSync(join(CRD_JSON_CACHE, 'stamps.json'), 'utf8')) as { files: Record<string, unknown> }).files;
    const cached = createHash('sha256').update(named('stamp-a')).digest('hex');
    try {
      writeFileSync(file, named('stamp-a'));
      writeFileSync(fresh, named('stamp-f'));
      utimesSync(file, old, old);
      writeCrdCache(file);
      writeCrdStamps([...pinned, file, fresh]);
      expect(Object.keys(stampsOf())).toContain(file);
      expect(Object.keys(stampsOf())).not.toContain(fresh);
      // Other bytes of the same size under the same stamp: the stamp is trusted.
      writeFileSync(file, named('stamp-b'));
      utimesSync(file, old, old);
      expect(crdName()).toBe('stamp-a.cluster.x-k8s.io');
      // A changed mtime is noticed, and the file is read and parsed.
      utimesSync(file, old, new Date(old.getTime() + 1000));
      expect(crdName()).toBe('stamp-b.cluster.x-k8s.io');
    } finally {
      writeCrdStamps(pinned);
      for (const suffix of ['.json', '.served.json']) rmSync(join(CRD_JSON_CACHE, `${cached}${suffix}`), { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is missed by an edited CRD, which is then parsed from its YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crd-cache-'));
    try {
      const source = readFileSync(join(crdRoot(), 'capi-v1.10.9', 'cluster.x-k8s.io_clusterclasses.yaml'), 'utf8');
      const edited = join(dir, 'edited.yaml');
      writeFileSync(edited, source.replace('name: clusterclasses.cluster.x-k8s.io', 'name: edited.cluster.x-k8s.io'));
      const [doc] = readCrdDocuments(edited) as { metadata: { name: string } }[];
      expect(doc!.metadata.name).toBe('edited.cluster.x-k8s.io');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CrdSchemaRegistry warnings', () => {
  it('cover a pattern deep in a schema that no validated object reached (properties are compiled on lookup)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crd-warnings-'));
    try {
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
          scope: 'Namespaced',
          versions: [{
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' }, deep: { type: 'object', properties: { name: { type: 'string', pattern: '^(?P<x>a)$' } } } } } } } },
          }],
        },
      };
      writeFileSync(join(dir, 'widgets.yaml'), yaml.dump(crd));
      const widgets = CrdSchemaRegistry.load([dir]);
      expect(widgets.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'n' }, spec: { size: 1 } })).toEqual([]);
      expect(widgets.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'n' }, spec: { size: 'one' } }).map((e) => e.path)).toEqual(['/spec/size']);
      expect(widgets.warnings).toEqual(['pattern "^(?P<x>a)$" cannot be compiled in JavaScript; not checked']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CrdSchemaRegistry on the pinned CRDs', () => {
  it('loads every pinned CRD and can check all their patterns', () => {
    expect(registry.stats.crds).toBeGreaterThanOrEqual(32);
    expect(registry.warnings).toEqual([]);
    expect(registry.kinds()).toContain('cluster.x-k8s.io/v1beta1 ClusterClass');
    expect(registry.kinds()).toContain('openstack.k-orc.cloud/v1alpha1 Image');
    // Unserved versions (v1alpha4 and older) are not indexed.
    expect(registry.kinds()).not.toContain('cluster.x-k8s.io/v1alpha4 ClusterClass');
  });

  it.each([
    ['ClusterClass', clusterClass],
    ['KubeadmControlPlaneTemplate', kubeadmControlPlaneTemplate],
    ['OpenStackMachineTemplate', openStackMachineTemplate],
    ['ORC Image', orcImage],
  ])('accepts a valid %s', (_name, build) => {
    expect(registry.validate(build()).map(String)).toEqual([]);
  });

  it('validates each apiVersion against the release where it is the current version', () => {
    // capi-v1.10.9 and capi-v1.13.5 both serve cluster.x-k8s.io/v1beta1 ClusterClass, with different schemas.
    expect(registry.describe('cluster.x-k8s.io/v1beta1', 'ClusterClass')?.file).toMatch(/capi-v1\.10\.9\//);
    expect(registry.describe('cluster.x-k8s.io/v1beta2', 'ClusterClass')?.file).toMatch(/capi-v1\.13\.5\//);
    expect(registry.describe('infrastructure.cluster.x-k8s.io/v1beta1', 'DockerClusterTemplate')?.file).toMatch(/capd-v1\.10\.9\//);
    expect(registry.conflicts.map((c) => `${c.apiVersion} ${c.kind}`)).toContain('cluster.x-k8s.io/v1beta1 ClusterClass');
    // Loading one release's folder only uses that release's schema.
    const newer = CrdSchemaRegistry.load(['capi-v1.13.5']);
    expect(newer.describe('cluster.x-k8s.io/v1beta1', 'ClusterClass')?.file).toMatch(/capi-v1\.13\.5\//);
    expect(newer.conflicts).toEqual([]);
  });

  it('formats errors as "<where> <kind>/<name> at <pointer>: <message>"', () => {
    const obj = withChange(openStackMachineTemplate(), '/spec/template/spec/flavour', 'SCS-2V-4');
    expect(registry.validate(obj, 'stacks/openstack-scs').map(String)).toEqual([
      'stacks/openstack-scs OpenStackMachineTemplate/openstack-scs-1-32-worker-v1 at /spec/template/spec/flavour: unknown field "flavour"',
    ]);
  });

  describe('fails when', () => {
    it('a required field is missing', () => {
      const errors = registry.validate(withChange(openStackMachineTemplate(), '/spec/template/spec/image', undefined));
      expect(errors.map(String)).toEqual([
        'OpenStackMachineTemplate/openstack-scs-1-32-worker-v1 at /spec/template/spec/image: required field "image" is missing',
      ]);
    });

    it('a required field is missing deep inside a list item', () => {
      const obj = withChange(clusterClass(), '/spec/workers/machineDeployments/0/template/bootstrap', undefined);
      expect(pathsOf(registry.validate(obj))).toEqual(['/spec/workers/machineDeployments/0/template/bootstrap']);
    });

    it('a value has the wrong type', () => {
      const errors = registry.validate(withChange(orcImage(), '/spec/resource/properties/minDiskGB', '20'));
      expect(errors).toHaveLength(1);
      expect(errors[0]?.path).toBe('/spec/resource/properties/minDiskGB');
      expect(errors[0]?.message).toBe('must be of type integer, got string');
    });

    it('a value is outside its enum', () => {
      const errors = registry.validate(withChange(orcImage(), '/spec/resource/content/diskFormat', 'qcow3'));
      expect(pathsOf(errors)).toEqual(['/spec/resource/content/diskFormat']);
      expect(errors[0]?.message).toMatch(/^unsupported value "qcow3": supported values: "ami", .*"qcow2"/);
    });

    it('a field is unknown (kubectl strict field validation)', () => {
      expect(pathsOf(registry.validate(withChange(orcImage(), '/spec/resource/content/format', 'qcow2')))).toEqual(['/spec/resource/content/format']);
      // A plain `type: object` without properties prunes every field.
      expect(pathsOf(registry.validate(withChange(clusterClass(), '/spec/controlPlane/ref/uuid', 'x')))).toEqual(['/spec/controlPlane/ref/uuid']);
      expect(registry.validate(withChange(clusterClass(), '/spec/workers/machineDeployments/0/replicas', 3)).map(String)).toEqual([
        'ClusterClass/openstack-scs-1-32-v1 at /spec/workers/machineDeployments/0/replicas: unknown field "replicas"',
      ]);
    });

    it('a string does not match its pattern', () => {
      const errors = registry.validate(withChange(clusterClass(), '/spec/controlPlane/machineHealthCheck/unhealthyRange', '1-3'));
      expect(errors.map(String)).toEqual([
        "ClusterClass/openstack-scs-1-32-v1 at /spec/controlPlane/machineHealthCheck/unhealthyRange: must match pattern '^\\[[0-9]+-[0-9]+\\]$', got \"1-3\"",
      ]);
      expect(registry.validate(withChange(clusterClass(), '/spec/controlPlane/machineHealthCheck/unhealthyRange', '[1-3]'))).toEqual([]);
    });

    it('an int-or-string field is a boolean (integers and strings pass)', () => {
      const pointer = '/spec/template/spec/rolloutStrategy/rollingUpdate/maxSurge';
      expect(registry.validate(withChange(kubeadmControlPlaneTemplate(), pointer, 0))).toEqual([]);
      expect(registry.validate(withChange(kubeadmControlPlaneTemplate(), pointer, '25%'))).toEqual([]);
      const errors = registry.validate(withChange(kubeadmControlPlaneTemplate(), pointer, true));
      expect(errors.map(String)).toEqual([
        `KubeadmControlPlaneTemplate/openstack-scs-1-32-control-plane-v1 at ${pointer}: must be an integer or a string, got boolean`,
      ]);
    });

    it('metadata.name is not a DNS-1123 subdomain', () => {
      expect(registry.validate(withChange(orcImage(), '/metadata/name', 'Ubuntu_Image')).map(String)).toEqual([
        `Image/Ubuntu_Image at /metadata/name: invalid name "Ubuntu_Image": must be a lowercase RFC 1123 subdomain: lowercase alphanumerics, '-' and '.', starting and ending with an alphanumeric`,
      ]);
      expect(pathsOf(registry.validate(withChange(orcImage(), '/metadata/name', 'a'.repeat(254))))).toEqual(['/metadata/name']);
      expect(pathsOf(registry.validate(withChange(orcImage(), '/metadata/name', undefined)))).toEqual(['/metadata/name']);
      expect(pathsOf(registry.validate(withChange(orcImage(), '/metadata', undefined)))).toEqual(['/metadata']);
      // generateName stands in for name, and may end in a dash.
      expect(registry.validate(withChange(orcImage(), '/metadata', { generateName: 'ubuntu-' }))).toEqual([]);
    });

    it('metadata has an unknown field, a bad namespace or a bad label', () => {
      expect(pathsOf(registry.validate(withChange(orcImage(), '/metadata/label', { a: 'b' })))).toEqual(['/metadata/label']);
      expect(pathsOf(registry.validate(withChange(orcImage(), '/metadata/namespace', 'Cluster_Stacks')))).toEqual(['/metadata/namespace']);
      const badLabels = withChange(orcImage(), '/metadata/labels', { 'example.com/ok': 'yes', 'example.com/bad key': 'x', tier: 7 });
      expect(pathsOf(registry.validate(badLabels))).toEqual(['/metadata/labels/example.com~1bad key', '/metadata/labels/tier']);
    });

    it('the apiVersion or kind has no CRD', () => {
      const wrongVersion = registry.validate(withChange(clusterClass(), '/apiVersion', 'cluster.x-k8s.io/v1beta9'), 'stacks/x');
      expect(wrongVersion).toHaveLength(1);
      expect(wrongVersion[0]?.message).toBe('no CRD for cluster.x-k8s.io/v1beta9 ClusterClass (served versions of ClusterClass: cluster.x-k8s.io/v1beta1, cluster.x-k8s.io/v1beta2)');
      const wrongKind = registry.validate(withChange(clusterClass(), '/kind', 'ClusterKlass'));
      expect(wrongKind.map((e) => e.message)).toEqual(['no CRD for cluster.x-k8s.io/v1beta1 ClusterKlass']);
      expect(pathsOf(registry.validate(withChange(clusterClass(), '/kind', undefined)))).toEqual(['/kind']);
      expect(registry.validate('not an object').map((e) => e.message)).toEqual(['must be a Kubernetes object (a JSON object), got string']);
    });

    it('a value is null where the schema is not nullable', () => {
      expect(registry.validate(withChange(openStackMachineTemplate(), '/spec/template/spec/flavor', null)).map(String)).toEqual([
        'OpenStackMachineTemplate/openstack-scs-1-32-worker-v1 at /spec/template/spec/flavor: must be of type string, got null (the field is not nullable)',
      ]);
      expect(pathsOf(registry.validate(withChange(openStackMachineTemplate(), '/spec/template/spec/tags/0', null)))).toEqual(['/spec/template/spec/tags/0']);
      // A null that the API server replaces with the field's default is fine.
      expect(registry.validate(withChange(openStackMachineTemplate(), '/spec/template/spec/identityRef/type', null))).toEqual([]);
    });

    it('a list-type map has two items with the same key', () => {
      const cc = clusterClass();
      const spec = cc.spec;
      if (!isObject(spec) || !isObject(spec.workers) || !Array.isArray(spec.workers.machineDeployments)) throw new Error('fixture');
      spec.workers.machineDeployments.push(structuredClone(spec.workers.machineDeployments[0]));
      const errors = registry.validate(cc);
      expect(pathsOf(errors)).toEqual(['/spec/workers/machineDeployments/1']);
      expect(errors[0]?.message).toBe('duplicate entry: class="default-worker" is also item 0 (x-kubernetes-list-type: map)');
    });

    it('a list-type set has a duplicate', () => {
      const errors = registry.validate(withChange(openStackMachineTemplate(), '/spec/template/spec/tags', ['a', 'b', 'a']));
      expect(errors.map(String)).toEqual([
        'OpenStackMachineTemplate/openstack-scs-1-32-worker-v1 at /spec/template/spec/tags/2: duplicate value "a": also item 0 (x-kubernetes-list-type: set)',
      ]);
    });

    it('a string is not in its format, or an int32 overflows', () => {
      expect(pathsOf(registry.validate(withChange(openStackMachineTemplate(), '/spec/template/spec/image', { id: 'not-a-uuid' })))).toEqual(['/spec/template/spec/image/id']);
      expect(registry.validate(withChange(openStackMachineTemplate(), '/spec/template/spec/image', { id: '1b0a3c4e-5d6f-4a8b-9c0d-1e2f3a4b5c6d' }))).toEqual([]);
      expect(pathsOf(registry.validate(withChange(orcImage(), '/spec/resource/content/download/url', 'swift bucket/image.qcow2')))).toEqual([
        '/spec/resource/content/download/url',
      ]);
      expect(pathsOf(registry.validate(withChange(kubeadmControlPlaneTemplate(), '/spec/template/spec/kubeadmConfigSpec/verbosity', 2 ** 31)))).toEqual([
        '/spec/template/spec/kubeadmConfigSpec/verbosity',
      ]);
      expect(pathsOf(registry.validate(withChange(kubeadmControlPlaneTemplate(), '/spec/template/spec/rolloutAfter', '2025-13-01T00:00:00Z')))).toEqual([
        '/spec/template/spec/rolloutAfter',
      ]);
    });
  });

  it('accepts anything below x-kubernetes-preserve-unknown-fields', () => {
    for (const value of [{ nested: { any: ['thing', 1, null, true] } }, 42, ['a', { b: 'c' }], 'text', false]) {
      const withDefault = withChange(clusterClass(), '/spec/variables/0/schema/openAPIV3Schema/default', value);
      expect(registry.validate(withDefault)).toEqual([]);
      const patch = withChange(clusterClass(), '/spec/patches/0/definitions/0/jsonPatches/0', { op: 'add', path: '/spec/template/spec/x', value });
      expect(registry.validate(patch)).toEqual([]);
    }
  });
});

describe('robustness', () => {
  it('never throws, whatever the spec of an object of any known kind holds', () => {
    const kinds = registry.kinds().map((k): [string, string] => {
      const [apiVersion = '', kind = ''] = k.split(' ');
      return [apiVersion, kind];
    });
    const anything = fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withNullPrototype: true, withSet: true, withSparseArray: true });
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.oneof(fc.jsonValue(), anything), fc.jsonValue(), ([apiVersion, kind], spec, metadata) => {
        const errors = registry.validate({ apiVersion, kind, metadata, spec });
        for (const e of errors) expect(typeof e.toString()).toBe('string');
        const schema = registry.describe(apiVersion, kind)?.schema;
        if (schema !== undefined) validateValue(schema, spec);
      }),
      { numRuns: 500 },
    );
  });
});

describe('validateValue', () => {
  const flavorVariable: JSONSchemaProps = { type: 'string', enum: ['SCS-2V-4', 'SCS-4V-8'], default: 'SCS-8V-16' };

  it('fails a string default outside the enum', () => {
    expect(validateValue(flavorVariable, flavorVariable.default).map(String)).toEqual([
      'at (root): unsupported value "SCS-8V-16": supported values: "SCS-2V-4", "SCS-4V-8"',
    ]);
    expect(validateValue(flavorVariable, 'SCS-4V-8')).toEqual([]);
    expect(validateValue(flavorVariable, 'SCS-8V-16', 'variable flavor default').map(String)).toEqual([
      'variable flavor default at (root): unsupported value "SCS-8V-16": supported values: "SCS-2V-4", "SCS-4V-8"',
    ]);
  });

  it('counts a string\'s length in runes, as Go does, not in UTF-16 units', () => {
    const short: JSONSchemaProps = { type: 'string', minLength: 2, maxLength: 3 };
    expect(validateValue(short, '\u{1F600}\u{1F600}\u{1F600}')).toEqual([]);
    expect(validateValue(short, '\u{1F600}\u{1F600}\u{1F600}\u{1F600}').map(String)).toEqual(['at (root): must be at most 3 characters long, got 4']);
    expect(validateValue(short, '\u{1F600}').map(String)).toEqual(['at (root): must be at least 2 characters long, got 1']);
    expect(validateValue(short, 'abcd').map(String)).toEqual(['at (root): must be at most 3 characters long, got 4']);
  });

  it('fails an array of objects whose item lacks a required key', () => {
    const volumes: JSONSchemaProps = {
      type: 'array',
      items: { type: 'object', required: ['name', 'sizeGiB'], properties: { name: { type: 'string', minLength: 1 }, sizeGiB: { type: 'integer', minimum: 1 } } },
    };
    expect(validateValue(volumes, [{ name: 'etcd', sizeGiB: 10 }])).toEqual([]);
    const errors = validateValue(volumes, [{ name: 'etcd', sizeGiB: 10 }, { sizeGiB: 0, mountPath: '/var' }]);
    expect(errors.map(String)).toEqual([
      'at /1/name: required field "name" is missing',
      'at /1/sizeGiB: must be greater than or equal to 1, got 0',
      'at /1/mountPath: unknown field "mountPath"',
    ]);
  });

  it('counts a defaulted field as present, as the API server defaults before validating', () => {
    const schema: JSONSchemaProps = { type: 'object', required: ['type'], properties: { type: { type: 'string', default: 'Secret' } } };
    expect(validateValue(schema, {})).toEqual([]);
  });

  it('allows null only where nullable', () => {
    expect(validateValue({ type: 'string', nullable: true }, null)).toEqual([]);
    expect(validateValue({ type: 'string' }, null).map((e) => e.message)).toEqual(['must be of type string, got null (the field is not nullable)']);
    // Without a type there is no type for null to violate.
    expect(validateValue({ 'x-kubernetes-preserve-unknown-fields': true }, null)).toEqual([]);
    expect(pathsOf(validateValue({ type: 'object', additionalProperties: { type: 'string' } }, { a: 'x', b: null }))).toEqual(['/b']);
  });

  it('validates map values through additionalProperties', () => {
    const schema: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'integer', 'x-kubernetes-int-or-string': undefined } };
    expect(validateValue(schema, { a: 1, b: 2 })).toEqual([]);
    expect(pathsOf(validateValue(schema, { a: 1, 'b/c': 'two' }))).toEqual(['/b~1c']);
  });

  it('keeps validating known fields next to preserved unknown ones', () => {
    const schema: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { replicas: { type: 'integer' } } };
    expect(validateValue(schema, { replicas: 3, anything: { goes: [1] } })).toEqual([]);
    expect(pathsOf(validateValue(schema, { replicas: 'three', anything: 1 }))).toEqual(['/replicas']);
  });

  it('allows apiVersion/kind/metadata on an embedded resource and requires apiVersion and kind', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      'x-kubernetes-embedded-resource': true,
      properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } },
    };
    expect(validateValue(schema, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1 } })).toEqual([]);
    expect(pathsOf(validateValue(schema, { apiVersion: 'apps/v1', metadata: { nam: 'web' }, spec: {} }))).toEqual(['/kind', '/metadata/nam']);
  });

  it('applies anyOf, oneOf, allOf and not as value validations only', () => {
    const oneOfIdOrFilter: JSONSchemaProps = {
      type: 'object',
      properties: { id: { type: 'string' }, filter: { type: 'object', properties: { name: { type: 'string' } } } },
      oneOf: [{ required: ['id'] }, { required: ['filter'] }],
    };
    expect(validateValue(oneOfIdOrFilter, { id: 'x' })).toEqual([]);
    expect(validateValue(oneOfIdOrFilter, { id: 'x', filter: {} }).map(String)).toEqual(['at (root): must match exactly one schema of oneOf, matches #0 and #1']);
    expect(validateValue(oneOfIdOrFilter, {}).map(String)).toEqual([
      'at (root): must match exactly one schema of oneOf, matches none: #0 at /id: required field "id" is missing; #1 at /filter: required field "filter" is missing',
    ]);
    // A property named only inside a branch does not make the field known.
    const branchOnly: JSONSchemaProps = { type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ properties: { b: { type: 'string' } } }] };
    expect(pathsOf(validateValue(branchOnly, { a: 'x', b: 'y' }))).toEqual(['/b']);

    const quantity: JSONSchemaProps = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^[0-9]+(Mi|Gi)?$' };
    expect(validateValue(quantity, 5)).toEqual([]);
    expect(validateValue(quantity, '5Gi')).toEqual([]);
    expect(pathsOf(validateValue(quantity, '5GB'))).toEqual(['']);
    expect(validateValue(quantity, 1.5).map((e) => e.message)).toEqual(['must be an integer or a string, got number']);

    const allOf: JSONSchemaProps = { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 10 }], not: { enum: [7] } };
    expect(validateValue(allOf, 5)).toEqual([]);
    expect(validateValue(allOf, 11).map((e) => e.message)).toEqual(['must be less than or equal to 10, got 11']);
    expect(validateValue(allOf, 7).map((e) => e.message)).toEqual(['must not match the schema under "not"']);
  });

  it('checks known formats and ignores unknown ones', () => {
    expect(validateValue({ type: 'string', format: 'date-time' }, '2025-06-01T12:00:00Z')).toEqual([]);
    expect(pathsOf(validateValue({ type: 'string', format: 'date-time' }, 'yesterday'))).toEqual(['']);
    expect(validateValue({ type: 'string', format: 'ipv4' }, '10.0.0.1')).toEqual([]);
    expect(pathsOf(validateValue({ type: 'string', format: 'ipv4' }, '10.0.0.256'))).toEqual(['']);
    expect(validateValue({ type: 'string', format: 'cidr' }, '10.0.0.0/8')).toEqual([]);
    expect(pathsOf(validateValue({ type: 'string', format: 'cidr' }, '10.0.0.0/33'))).toEqual(['']);
    expect(validateValue({ type: 'string', format: 'ipv6' }, 'fd00::1')).toEqual([]);
    expect(validateValue({ type: 'string', format: 'byte' }, 'aGVsbG8=')).toEqual([]);
    expect(pathsOf(validateValue({ type: 'string', format: 'byte' }, 'hello!'))).toEqual(['']);
    expect(validateValue({ type: 'string', format: 'no-such-format' }, 'anything')).toEqual([]);
    expect(validateValue({ type: 'integer', format: 'int64' }, 2 ** 40)).toEqual([]);
  });

  it('looks up only own properties of a schema: "constructor" and "__proto__" are unknown fields unless the schema declares them', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { name: { type: 'string' } } };
    const value = JSON.parse('{"name": "a", "constructor": 1, "__proto__": {"polluted": true}}') as unknown;
    expect(validateValue(schema, value).map((e) => e.message).sort()).toEqual(['unknown field "__proto__"', 'unknown field "constructor"']);
    const declared: JSONSchemaProps = JSON.parse('{"type": "object", "properties": {"constructor": {"type": "string"}, "__proto__": {"type": "integer"}}}') as JSONSchemaProps;
    expect(pathsOf(validateValue(declared, JSON.parse('{"constructor": 1, "__proto__": "x"}'))).sort()).toEqual(['/__proto__', '/constructor']);
    expect(validateValue(declared, JSON.parse('{"constructor": "c", "__proto__": 2}'))).toEqual([]);
  });

  it('reads durations as Go (time.ParseDuration) and Kubernetes do, both micro signs included', () => {
    const duration = { type: 'string', format: 'duration' } as const;
    // U+00B5 (micro sign) and U+03BC (Greek mu), as Go accepts them; the regular expressions spell them as escapes.
    for (const ok of ['1h30m', '-1.5s', '0', '250ms', '10\u00b5s', '10\u03bcs', '3 days', '2 Weeks', '5 \u00b5s']) expect(validateValue(duration, JSON.parse(`"${ok}"`)), ok).toEqual([]);
    for (const bad of ['1x', '10 us s', 'h', '10\u00b6s', '']) expect(pathsOf(validateValue(duration, JSON.parse(`"${bad}"`))), bad).toEqual(['']);
  });

  it('checks string lengths in characters, numeric bounds, item counts and uniqueItems', () => {
    expect(validateValue({ type: 'string', maxLength: 3 }, 'äöü')).toEqual([]);
    expect(validateValue({ type: 'string', minLength: 4 }, 'äöü').map((e) => e.message)).toEqual(['must be at least 4 characters long, got 3']);
    expect(validateValue({ type: 'number', minimum: 0, exclusiveMinimum: true }, 0).map((e) => e.message)).toEqual(['must be greater than 0, got 0']);
    expect(validateValue({ type: 'number', multipleOf: 0.5 }, 1.5)).toEqual([]);
    expect(validateValue({ type: 'array', maxItems: 1, items: { type: 'string' } }, ['a', 'b']).map((e) => e.message)).toEqual(['must have at most 1 items, got 2']);
    expect(pathsOf(validateValue({ type: 'array', uniqueItems: true }, [{ a: 1, b: 2 }, { b: 2, a: 1 }]))).toEqual(['/1']);
  });

  it('does not evaluate x-kubernetes-validations (CEL)', () => {
    const schema: JSONSchemaProps = { type: 'string', 'x-kubernetes-validations': [{ rule: 'false', message: 'never valid' }] };
    expect(validateValue(schema, 'x')).toEqual([]);
  });
});
