import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { shippedBundlePaths } from '../shipped.ts';
import { CrdSchemaRegistry, validateValue, type JSONSchemaProps } from '../../lib/pipeline/crd-schema.ts';
import { synthesize, type Bundle } from '../../lib/pipeline/synth.ts';
import { isBuiltInKind, validateObject } from '../../lib/pipeline/validate.ts';
import { STACKS } from '../../stacks/index.ts';

// Every stack × Kubernetes minor, synthesized once for the whole file.
const bundles: readonly Bundle[] = synthesize(STACKS);
const OBJECT_FILES = ['cluster-class.yaml', 'node-images.yaml'];

type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } };

interface VariableEntry {
  readonly name: string;
  readonly required: boolean;
  readonly schema: { readonly openAPIV3Schema: JSONSchemaProps };
}

interface JsonPatchEntry {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
  readonly valueFrom?: { readonly variable?: string; readonly template?: string };
}

interface PatchEntry {
  readonly name: string;
  readonly enabledIf?: string;
  readonly definitions: readonly { readonly jsonPatches: readonly JsonPatchEntry[] }[];
}

interface ClusterClassObject extends KubeObject {
  spec: { variables: VariableEntry[]; patches: PatchEntry[] };
}

function objectsOf(bundle: Bundle, file: string): KubeObject[] {
  const content = bundle.files.find((f) => f.path === file)?.content;
  if (content === undefined) return [];
  return yaml.loadAll(content).filter((d): d is KubeObject => d !== null && typeof d === 'object');
}

function clusterClassOf(bundle: Bundle): ClusterClassObject {
  const cc = objectsOf(bundle, 'cluster-class.yaml').find((o) => o.kind === 'ClusterClass');
  if (!cc) throw new Error(`${bundle.path}: no ClusterClass`);
  return cc as ClusterClassObject;
}

/** Every `default` and `example` in a schema and its nested properties/items, with the sub-schema it belongs to. */
function samplesOf(schema: JSONSchemaProps, at = ''): { at: string; key: 'default' | 'example'; schema: JSONSchemaProps; value: unknown }[] {
  const out: { at: string; key: 'default' | 'example'; schema: JSONSchemaProps; value: unknown }[] = [];
  for (const key of ['default', 'example'] as const) {
    if (schema[key] !== undefined) out.push({ at, key, schema, value: schema[key] });
  }
  for (const [name, sub] of Object.entries(schema.properties ?? {})) out.push(...samplesOf(sub, `${at}.properties.${name}`));
  if (schema.items) out.push(...samplesOf(schema.items, `${at}.items`));
  return out;
}

/** The sub-schema of a dotted path below a variable (`oidcConfig.clientID`), if the schema declares it. */
function schemaAt(schema: JSONSchemaProps, segments: readonly string[]): JSONSchemaProps | undefined {
  let current: JSONSchemaProps | undefined = schema;
  for (const s of segments) current = current?.properties?.[s];
  return current;
}

const BUILTIN_PATH = /^builtin\.(cluster|controlPlane|machineDeployment|machinePool)\.[A-Za-z.]+$/;

/** Top-level names read by the actions of a Go template (`.x`, `$.x`), string literals left out. */
function templateReads(template: string): string[] {
  const names: string[] = [];
  for (const action of template.match(/\{\{.*?\}\}/gs) ?? []) {
    const code = action.replace(/"(\\.|[^"\\])*"/g, '""');
    for (const m of code.matchAll(/(?:^|[\s({])\$?\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.push(m[1]);
  }
  return names;
}

let registry: CrdSchemaRegistry;
beforeAll(() => {
  registry = CrdSchemaRegistry.load();
});

describe('synthesized bundles', () => {
  it('cover every registered stack for Kubernetes 1.32 to 1.34, the shipped three among them', () => {
    expect(bundles.map((b) => b.path).sort()).toEqual(shippedBundlePaths());
    expect(bundles.map((b) => b.path)).toEqual(expect.arrayContaining([
      'docker/scs/1-32',
      'docker/scs/1-33',
      'docker/scs/1-34',
      'hetzner/scs/1-32',
      'hetzner/scs/1-33',
      'hetzner/scs/1-34',
      'openstack/scs/1-32',
      'openstack/scs/1-33',
      'openstack/scs/1-34',
    ]));
  });
});

describe.each(bundles.map((b) => [b.path, b] as const))('%s', (_path, bundle) => {
  it('has only objects that match their CRD schemas', () => {
    const objects = OBJECT_FILES.flatMap((file) => objectsOf(bundle, file).map((object) => ({ file, object })));
    // The ClusterClass, its templates (5 in every shipped stack), the node
    // images where the provider has them, and the addon proxies.
    expect(objects.filter(({ object }) => object.kind === 'ClusterClass').length).toBe(1);
    expect(objects.filter(({ file }) => file === 'cluster-class.yaml').length).toBeGreaterThanOrEqual(6);
    const errors = objects.flatMap(({ file, object }) => validateObject(registry, object, `${bundle.path}/${file}`).map((e) => e.toString()));
    expect(errors).toEqual([]);
  });

  it('has objects whose kinds the registry knows, or built-in kinds validation knows', () => {
    for (const file of OBJECT_FILES) {
      for (const object of objectsOf(bundle, file)) {
        expect(registry.describe(object.apiVersion, object.kind) !== undefined || isBuiltInKind(object.apiVersion, object.kind), `${object.apiVersion} ${object.kind}`).toBe(true);
      }
    }
  });

  it('has variable defaults and examples that match the variable schemas, nested ones included', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const v of clusterClassOf(bundle).spec.variables) {
      for (const sample of samplesOf(v.schema.openAPIV3Schema)) {
        checked++;
        for (const e of validateValue(sample.schema, sample.value, `${v.name}${sample.at}.${sample.key}`)) problems.push(e.toString());
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(bundle.identity.provider === 'openstack' ? 40 : 3);
  });

  it('reads, in valueFrom.variable, only declared variables (and declared fields of them) or builtins', () => {
    const cc = clusterClassOf(bundle);
    const schemas = new Map(cc.spec.variables.map((v) => [v.name, v.schema.openAPIV3Schema]));
    const unknown: string[] = [];
    for (const patch of cc.spec.patches) {
      for (const d of patch.definitions) {
        for (const p of d.jsonPatches) {
          const variable = p.valueFrom?.variable;
          if (variable === undefined) continue;
          if (variable.startsWith('builtin.')) {
            if (!BUILTIN_PATH.test(variable)) unknown.push(`${patch.name}: ${variable}`);
            continue;
          }
          const [name, ...fields] = variable.split('.');
          const schema = schemas.get(name);
          if (schema === undefined || schemaAt(schema, fields) === undefined) unknown.push(`${patch.name}: ${variable}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('reads, in enabledIf and valueFrom.template, only declared variables or builtins', () => {
    const cc = clusterClassOf(bundle);
    const declared = new Set([...cc.spec.variables.map((v) => v.name), 'builtin']);
    const unknown: string[] = [];
    let templates = 0;
    for (const patch of cc.spec.patches) {
      const sources = [patch.enabledIf, ...patch.definitions.flatMap((d) => d.jsonPatches.map((p) => p.valueFrom?.template))];
      for (const source of sources) {
        if (source === undefined) continue;
        templates++;
        for (const name of templateReads(source)) if (!declared.has(name)) unknown.push(`${patch.name}: .${name}`);
      }
    }
    expect(templates).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('sets each jsonPatch value exactly one way', () => {
    for (const patch of clusterClassOf(bundle).spec.patches) {
      for (const d of patch.definitions) {
        for (const p of d.jsonPatches) {
          const sources = [p.value !== undefined, p.valueFrom?.variable !== undefined, p.valueFrom?.template !== undefined].filter(Boolean).length;
          expect(sources, `${patch.name} ${p.op} ${p.path}`).toBe(p.op === 'remove' ? 0 : 1);
        }
      }
    }
  });
});

describe('the template reader used above', () => {
  it('finds top-level reads, skips element fields and string literals', () => {
    expect(templateReads('{{ if and .a (eq .b "x.y") }}true{{ end }}')).toEqual(['a', 'b']);
    expect(templateReads('[{{ range $i0, $e0 := .list }}{{ $e0.name | toJson }}{{ $.top | toJson }}{{ end }}]')).toEqual(['list', 'top']);
    expect(templateReads('{{ printf "%v%v" .imageName .builtin.controlPlane.version }}')).toEqual(['imageName', 'builtin']);
  });
});

describe('schema violations are reported with their JSON pointer', () => {
  const openstack = bundles.find((b) => b.path === 'openstack/scs/1-34');
  if (!openstack) throw new Error('openstack/scs/1-34 is not synthesized');
  const objects = objectsOf(openstack, 'cluster-class.yaml');
  const machineTemplate = (): KubeObject & { spec: { template: { spec: Record<string, unknown> } } } => {
    const found = objects.find((o) => o.kind === 'OpenStackMachineTemplate');
    if (!found) throw new Error('no OpenStackMachineTemplate');
    return structuredClone(found) as KubeObject & { spec: { template: { spec: Record<string, unknown> } } };
  };

  it('fails when an OpenStackMachineTemplate spec has an unknown field', () => {
    const broken = machineTemplate();
    broken.spec.template.spec.unknownField = 1;
    const errors = registry.validate(broken, 'openstack/scs/1-34/cluster-class.yaml');
    expect(errors.map((e) => e.path)).toEqual(['/spec/template/spec/unknownField']);
    expect(errors[0].toString()).toBe(
      'openstack/scs/1-34/cluster-class.yaml OpenStackMachineTemplate/openstack-scs-1-34-v1-control-plane at /spec/template/spec/unknownField: unknown field "unknownField"',
    );
  });

  it('fails when a field has the wrong type', () => {
    const broken = machineTemplate();
    broken.spec.template.spec.flavor = 42;
    const errors = registry.validate(broken);
    expect(errors.map((e) => e.toString())).toEqual([
      'OpenStackMachineTemplate/openstack-scs-1-34-v1-control-plane at /spec/template/spec/flavor: must be of type string, got integer',
    ]);
  });

  it('fails when a ClusterClass patch op is unsupported and a variable required flag is not a boolean', () => {
    const broken = structuredClone(clusterClassOf(openstack)) as unknown as { spec: { variables: Record<string, unknown>[]; patches: { definitions: { jsonPatches: Record<string, unknown>[] }[] }[] } };
    broken.spec.variables[0].required = 'yes';
    broken.spec.patches[0].definitions[0].jsonPatches[0].op = 'move';
    const messages = registry.validate(broken).map((e) => `${e.path}: ${e.message}`);
    expect(messages).toContain('/spec/variables/0/required: must be of type boolean, got string');
    expect(messages).toContain('/spec/patches/0/definitions/0/jsonPatches/0/op: unsupported value "move": supported values: "add", "replace", "remove"');
    expect(messages).toHaveLength(2);
  });

  it('fails when an ORC Image hash is not a string', () => {
    const image = structuredClone(objectsOf(openstack, 'node-images.yaml')[0]) as KubeObject & {
      spec: { resource: { content: { download: { hash: Record<string, unknown> } } } };
    };
    image.spec.resource.content.download.hash.value = 123;
    expect(registry.validate(image).map((e) => e.path)).toEqual(['/spec/resource/content/download/hash/value']);
  });

  it('fails when a value breaks its variable schema, naming the element and field', () => {
    const devices = clusterClassOf(openstack).spec.variables.find((v) => v.name === 'workerAdditionalBlockDevices');
    if (!devices) throw new Error('workerAdditionalBlockDevices is not declared');
    const errors = validateValue(devices.schema.openAPIV3Schema, [{ name: 'data' }, { sizeGiB: 'big' }], 'workerAdditionalBlockDevices');
    expect(errors.map((e) => e.toString())).toEqual([
      'workerAdditionalBlockDevices at /1/name: required field "name" is missing',
      'workerAdditionalBlockDevices at /1/sizeGiB: must be of type integer, got string',
    ]);
  });
});
