import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { diffTrees, formatTreeDiff, treeDiffToJson, type ChangedYamlFile, type FileChange, type ObjectChange } from '../../../lib/release/object-diff.ts';

// A small bundle in the shape the generator writes. Each builder returns
// fresh objects so a test can change one without affecting the others.

function clusterClass(version = 'v1'): Record<string, unknown> {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'ClusterClass',
    metadata: { name: `openstack-scs-1-34-${version}` },
    spec: {
      controlPlane: { ref: { kind: 'KubeadmControlPlaneTemplate', name: `openstack-scs-1-34-${version}-control-plane` } },
      variables: [
        { name: 'controlPlaneFlavor', required: false, schema: { openAPIV3Schema: { type: 'string', default: 'SCS-2V-4' } } },
        { name: 'workerFlavor', required: false, schema: { openAPIV3Schema: { type: 'string', default: 'SCS-2V-4' } } },
      ],
      patches: [
        { name: 'controlPlaneFlavor', definitions: [{ selector: { kind: 'OpenStackMachineTemplate' }, jsonPatches: [{ op: 'replace', path: '/spec/template/spec/flavor', valueFrom: { variable: 'controlPlaneFlavor' } }] }] },
      ],
    },
  };
}

function controlPlaneTemplate(version = 'v1'): Record<string, unknown> {
  return {
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
    kind: 'KubeadmControlPlaneTemplate',
    metadata: { name: `openstack-scs-1-34-${version}-control-plane` },
    spec: {
      template: {
        spec: {
          kubeadmConfigSpec: {
            files: [
              { path: '/etc/kubernetes/a.yaml', content: 'a' },
              { path: '/etc/kubernetes/b.yaml', content: 'b' },
            ],
            preKubeadmCommands: ['echo one', 'echo two'],
          },
        },
      },
    },
  };
}

const dump = (...docs: unknown[]): string => docs.map((d) => yaml.dump(d)).join('---\n');

function tree(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(files));
}

function baseTree(): Record<string, string> {
  return {
    'cluster-class.yaml': dump(clusterClass(), controlPlaneTemplate()),
    'cluster-addon/cni/values.yaml': 'cilium:\n  version: 1.15.0\n  ipam:\n    mode: kubernetes\n',
    'metadata.yaml': 'apiVersion: metadata.clusterstack.x-k8s.io/v1alpha1\nversions:\n  clusterStack: v1\n',
    'README.md': '# bundle\n',
  };
}

function yamlFile(diff: readonly FileChange[], path: string): ChangedYamlFile {
  const file = diff.find((f) => f.path === path);
  if (file?.kind !== 'changed' || file.format !== 'yaml') throw new Error(`expected a changed YAML file '${path}', got ${JSON.stringify(file)}`);
  return file;
}

function object(file: ChangedYamlFile, objectKind: string): ObjectChange {
  const found = file.objects.find((o) => o.objectKind === objectKind);
  if (!found) throw new Error(`no ${objectKind} change in ${file.path}`);
  return found;
}

/** The version-stripping normalizer a caller would pass for SCS names. */
const stripVersion = (name: string): string => name.replace(/-v\d+(?=-|$)/, '-<version>');

describe('diffTrees', () => {
  it('gives an empty diff for unchanged trees', () => {
    expect(diffTrees(tree(baseTree()), tree(baseTree()))).toEqual([]);
    expect(formatTreeDiff([])).toBe('');
  });

  it('reports a changed variable default at the name-matched path', () => {
    const cc = clusterClass();
    const newer = clusterClass();
    const variables = (newer.spec as { variables: { schema: { openAPIV3Schema: { default: string } } }[] }).variables;
    variables[0]!.schema.openAPIV3Schema.default = 'SCS-4V-8';
    const diff = diffTrees(tree({ 'cluster-class.yaml': dump(cc) }), tree({ 'cluster-class.yaml': dump(newer) }));
    const change = object(yamlFile(diff, 'cluster-class.yaml'), 'ClusterClass');
    expect(change).toEqual({
      kind: 'changed',
      objectKind: 'ClusterClass',
      name: 'openstack-scs-1-34-v1',
      beforeName: 'openstack-scs-1-34-v1',
      afterName: 'openstack-scs-1-34-v1',
      fields: [{ path: '/spec/variables/controlPlaneFlavor/schema/openAPIV3Schema/default', kind: 'changed', before: 'SCS-2V-4', after: 'SCS-4V-8' }],
    });
  });

  it('reports an added patch and an added variable by name', () => {
    const newer = clusterClass();
    const spec = newer.spec as { patches: unknown[]; variables: unknown[] };
    const patch = { name: 'workerFlavor', definitions: [] };
    spec.patches.push(patch);
    spec.variables.unshift({ name: 'sshKeyName', required: false, schema: { openAPIV3Schema: { type: 'string' } } });
    const diff = diffTrees(tree({ 'cluster-class.yaml': dump(clusterClass()) }), tree({ 'cluster-class.yaml': dump(newer) }));
    expect(object(yamlFile(diff, 'cluster-class.yaml'), 'ClusterClass').fields).toEqual([
      { path: '/spec/variables/sshKeyName', kind: 'added', after: { name: 'sshKeyName', required: false, schema: { openAPIV3Schema: { type: 'string' } } } },
      { path: '/spec/patches/workerFlavor', kind: 'added', after: patch },
    ]);
  });

  it('reports added and removed files', () => {
    const newer = baseTree();
    delete newer['README.md'];
    newer['cluster-addon/csi/overwrite.yaml'] = 'a: 1\n';
    // Sorted by path, bytewise: upper case before lower case.
    expect(diffTrees(tree(baseTree()), tree(newer))).toEqual([
      { kind: 'removed', path: 'README.md' },
      { kind: 'added', path: 'cluster-addon/csi/overwrite.yaml' },
    ]);
  });

  it('reports a values.yaml change field by field', () => {
    const newer = baseTree();
    newer['cluster-addon/cni/values.yaml'] = 'cilium:\n  version: 1.16.1\n  hubble:\n    enabled: true\n';
    const file = yamlFile(diffTrees(tree(baseTree()), tree(newer)), 'cluster-addon/cni/values.yaml');
    expect(file.singleDocument).toBe(true);
    expect(file.objects).toEqual([
      {
        kind: 'changed',
        name: 'document 1',
        fields: [
          { path: '/cilium/version', kind: 'changed', before: '1.15.0', after: '1.16.1' },
          { path: '/cilium/hubble', kind: 'added', after: { enabled: true } },
          { path: '/cilium/ipam', kind: 'removed', before: { mode: 'kubernetes' } },
        ],
      },
    ]);
  });

  it('does not count a reordering of a name-matched array as a change', () => {
    const newer = clusterClass();
    const spec = newer.spec as { variables: unknown[] };
    spec.variables.reverse();
    const cpt = controlPlaneTemplate();
    const files = ((cpt.spec as { template: { spec: { kubeadmConfigSpec: { files: unknown[] } } } }).template.spec.kubeadmConfigSpec.files);
    files.reverse();
    const before = tree({ 'cluster-class.yaml': dump(clusterClass(), controlPlaneTemplate()) });
    const after = tree({ 'cluster-class.yaml': dump(newer, cpt) });
    const diff = diffTrees(before, after);
    // The text differs, so the file is listed, but no object changed.
    expect(diff).toEqual([{ kind: 'changed', path: 'cluster-class.yaml', format: 'yaml', singleDocument: false, objects: [] }]);
    expect(formatTreeDiff(diff)).toBe('~ cluster-class.yaml (comments, formatting or key order only)\n');
  });

  it('compares other arrays by index, so their order counts', () => {
    const cpt = controlPlaneTemplate();
    const spec = (cpt.spec as { template: { spec: { kubeadmConfigSpec: { preKubeadmCommands: string[] } } } }).template.spec.kubeadmConfigSpec;
    spec.preKubeadmCommands.reverse();
    const diff = diffTrees(tree({ 'cluster-class.yaml': dump(controlPlaneTemplate()) }), tree({ 'cluster-class.yaml': dump(cpt) }));
    expect(object(yamlFile(diff, 'cluster-class.yaml'), 'KubeadmControlPlaneTemplate').fields.map((f) => f.path)).toEqual([
      '/spec/template/spec/kubeadmConfigSpec/preKubeadmCommands/0',
      '/spec/template/spec/kubeadmConfigSpec/preKubeadmCommands/1',
    ]);
  });

  it('matches files[] by path, escaping the / in the pointer', () => {
    const cpt = controlPlaneTemplate();
    const files = (cpt.spec as { template: { spec: { kubeadmConfigSpec: { files: { content: string }[] } } } }).template.spec.kubeadmConfigSpec.files;
    files[1]!.content = 'B';
    const diff = diffTrees(tree({ 'c.yaml': dump(controlPlaneTemplate()) }), tree({ 'c.yaml': dump(cpt) }));
    expect(object(yamlFile(diff, 'c.yaml'), 'KubeadmControlPlaneTemplate').fields).toEqual([
      { path: '/spec/template/spec/kubeadmConfigSpec/files/~1etc~1kubernetes~1b.yaml/content', kind: 'changed', before: 'b', after: 'B' },
    ]);
  });

  it('with normalizeName, sees a -v1- to -v2- rename as one changed object per name', () => {
    const before = tree({ 'cluster-class.yaml': dump(clusterClass('v1'), controlPlaneTemplate('v1')) });
    const after = tree({ 'cluster-class.yaml': dump(clusterClass('v2'), controlPlaneTemplate('v2')) });

    const plain = yamlFile(diffTrees(before, after), 'cluster-class.yaml');
    expect(plain.objects.map((o) => `${o.kind} ${o.objectKind ?? ''} ${o.name}`)).toEqual([
      'added ClusterClass openstack-scs-1-34-v2',
      'added KubeadmControlPlaneTemplate openstack-scs-1-34-v2-control-plane',
      'removed ClusterClass openstack-scs-1-34-v1',
      'removed KubeadmControlPlaneTemplate openstack-scs-1-34-v1-control-plane',
    ]);

    const normalized = yamlFile(diffTrees(before, after, { normalizeName: stripVersion }), 'cluster-class.yaml');
    expect(normalized.objects.map((o) => `${o.kind} ${o.objectKind ?? ''} ${o.name}`)).toEqual([
      'changed ClusterClass openstack-scs-1-34-<version>',
      'changed KubeadmControlPlaneTemplate openstack-scs-1-34-<version>-control-plane',
    ]);
    const cc = object(normalized, 'ClusterClass');
    expect(cc.beforeName).toBe('openstack-scs-1-34-v1');
    expect(cc.afterName).toBe('openstack-scs-1-34-v2');
    expect(cc.fields).toEqual([
      { path: '/metadata/name', kind: 'changed', before: 'openstack-scs-1-34-v1', after: 'openstack-scs-1-34-v2' },
      { path: '/spec/controlPlane/ref/name', kind: 'changed', before: 'openstack-scs-1-34-v1-control-plane', after: 'openstack-scs-1-34-v2-control-plane' },
    ]);
  });

  it('compares non-YAML and unparsable files as text', () => {
    const before = tree({ 'README.md': 'a\n', 'templates/x.yaml': 'a: 1\n', 'same.md': 'x' });
    const after = tree({ 'README.md': 'b\n', 'templates/x.yaml': 'a: {{ .Values.a }\n', 'same.md': 'x' });
    expect(diffTrees(before, after)).toEqual([
      { kind: 'changed', path: 'README.md', format: 'text' },
      { kind: 'changed', path: 'templates/x.yaml', format: 'text', unparsable: 'after' },
    ]);
  });

  it('formats a small diff exactly', () => {
    const newer = clusterClass('v2');
    const variables = (newer.spec as { variables: { schema: { openAPIV3Schema: { default: string } } }[] }).variables;
    variables[0]!.schema.openAPIV3Schema.default = 'SCS-4V-8';
    const kct = { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', metadata: { name: 'openstack-scs-1-34-v2-worker' }, spec: {} };
    const before = tree({
      'cluster-class.yaml': dump(clusterClass('v1')),
      'cluster-addon/cni/values.yaml': 'cilium:\n  version: 1.15.0\n',
      'README.md': 'old\n',
      'old.txt': 'gone\n',
    });
    const after = tree({
      'cluster-class.yaml': dump(newer, kct),
      'cluster-addon/cni/values.yaml': 'cilium:\n  version: 1.16.0\n  extra: "a very long value that will be cut"\n',
      'cluster-addon/csi/overwrite.yaml': 'x: 1\n',
      'README.md': 'new\n',
    });
    const diff = diffTrees(before, after, { normalizeName: stripVersion });
    expect(formatTreeDiff(diff, { maxValueLength: 20 })).toBe(
      [
        '~ README.md (text differs)',
        '~ cluster-addon/cni/values.yaml',
        '  ~ /cilium/version: "1.15.0" → "1.16.0"',
        '  + /cilium/extra: "a very long value …',
        '+ cluster-addon/csi/overwrite.yaml',
        '~ cluster-class.yaml',
        '  ~ ClusterClass openstack-scs-1-34-<version>',
        '    ~ /metadata/name: "openstack-scs-1-34… → "openstack-scs-1-34…',
        '    ~ /spec/controlPlane/ref/name: "openstack-scs-1-34… → "openstack-scs-1-34…',
        '    ~ /spec/variables/controlPlaneFlavor/schema/openAPIV3Schema/default: "SCS-2V-4" → "SCS-4V-8"',
        '  + KubeadmConfigTemplate openstack-scs-1-34-<version>-worker',
        '- old.txt',
        '',
      ].join('\n'),
    );
    // The same diff formats the same way every time.
    expect(formatTreeDiff(diffTrees(before, after, { normalizeName: stripVersion }), { maxValueLength: 20 })).toBe(formatTreeDiff(diff, { maxValueLength: 20 }));
  });

  it('turns the diff into plain JSON', () => {
    const newer = baseTree();
    newer['cluster-addon/cni/values.yaml'] = 'cilium:\n  version: .nan\n  ipam:\n    mode: kubernetes\n';
    delete newer['README.md'];
    const json = treeDiffToJson(diffTrees(tree(baseTree()), tree(newer)));
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json).toEqual({
      files: [
        { kind: 'removed', path: 'README.md' },
        {
          kind: 'changed',
          path: 'cluster-addon/cni/values.yaml',
          format: 'yaml',
          singleDocument: true,
          objects: [{ kind: 'changed', name: 'document 1', fields: [{ path: '/cilium/version', kind: 'changed', before: '1.15.0', after: 'NaN' }] }],
        },
      ],
    });
  });
});
