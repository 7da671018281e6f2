import type { JSONSchemaProps } from '../../../../lib/pipeline/crd-schema.ts';

/**
 * Small, explicit schemas of the Flux and Argo CD fields the examples use.
 * Their CRDs are not among the pinned CRDs in crds/, so these are
 * written by hand from the upstream API types (fluxcd/source-controller
 * api/v1 GitRepository and OCIRepository, fluxcd/kustomize-controller api/v1 Kustomization,
 * argoproj/argo-cd pkg/apis/application/v1alpha1 Application) and checked
 * with the same Kubernetes semantics as the CRDs (an unknown field is an
 * error). They cover only what the examples write: a field outside them
 * fails the test until it is added here, after checking it upstream.
 */

const string: JSONSchemaProps = { type: 'string' };
const boolean: JSONSchemaProps = { type: 'boolean' };
const nonEmpty: JSONSchemaProps = { type: 'string', minLength: 1 };
/** Flux's duration pattern (e.g. `10m`, `1m30s`). */
const fluxDuration: JSONSchemaProps = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' };
const dnsLabel: JSONSchemaProps = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };

const objectMeta: JSONSchemaProps = {
  type: 'object',
  required: ['name'],
  properties: {
    name: dnsLabel,
    namespace: dnsLabel,
    labels: { type: 'object', additionalProperties: string },
    annotations: { type: 'object', additionalProperties: string },
  },
};

function kind(apiVersion: string, kindName: string, spec: JSONSchemaProps | undefined, metadata: JSONSchemaProps = objectMeta): JSONSchemaProps {
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', ...(spec ? ['spec'] : [])],
    properties: {
      apiVersion: { type: 'string', enum: [apiVersion] },
      kind: { type: 'string', enum: [kindName] },
      metadata,
      ...(spec ? { spec } : {}),
    },
  };
}

export const namespaceSchema = kind('v1', 'Namespace', undefined);

export const gitRepositorySchema = kind('source.toolkit.fluxcd.io/v1', 'GitRepository', {
  type: 'object',
  required: ['url', 'interval'],
  properties: {
    url: { type: 'string', pattern: '^(http|https|ssh)://.*$' },
    interval: fluxDuration,
    ref: { type: 'object', properties: { branch: string, tag: string, semver: string, name: string, commit: string } },
    ignore: string,
  },
});

/** fluxcd/source-controller api/v1 OCIRepository (v1.9.x serves v1 only): the fields examples/gitops/flux/oci-repository.yaml uses. */
export const ociRepositorySchema = kind('source.toolkit.fluxcd.io/v1', 'OCIRepository', {
  type: 'object',
  required: ['url', 'interval'],
  properties: {
    url: { type: 'string', pattern: '^oci://.*$' },
    insecure: boolean,
    ref: { type: 'object', properties: { tag: string, semver: string, semverFilter: string, digest: string } },
    layerSelector: { type: 'object', properties: { mediaType: string, operation: { type: 'string', enum: ['extract', 'copy'] } } },
    interval: fluxDuration,
  },
});

export const fluxKustomizationSchema = kind('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', {
  type: 'object',
  required: ['interval', 'prune', 'sourceRef'],
  properties: {
    sourceRef: {
      type: 'object',
      required: ['kind', 'name'],
      properties: { kind: { type: 'string', enum: ['OCIRepository', 'GitRepository', 'Bucket'] }, name: nonEmpty, namespace: string },
    },
    path: string,
    targetNamespace: { ...dnsLabel, minLength: 1 },
    interval: fluxDuration,
    timeout: fluxDuration,
    prune: boolean,
    wait: boolean,
    dependsOn: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: string, namespace: string } } },
  },
});

export const argoApplicationSchema = kind('argoproj.io/v1alpha1', 'Application', {
  type: 'object',
  required: ['destination', 'project', 'source'],
  properties: {
    project: nonEmpty,
    source: {
      type: 'object',
      required: ['repoURL'],
      properties: {
        repoURL: nonEmpty,
        targetRevision: string,
        path: string,
        directory: { type: 'object', properties: { include: string, exclude: string, recurse: boolean } },
      },
    },
    destination: { type: 'object', properties: { server: string, namespace: string, name: string } },
    syncPolicy: {
      type: 'object',
      properties: {
        automated: { type: 'object', properties: { prune: boolean, selfHeal: boolean } },
        syncOptions: { type: 'array', items: { type: 'string', enum: ['CreateNamespace=true', 'ServerSideApply=true'] } },
        retry: {
          type: 'object',
          properties: {
            limit: { type: 'integer', format: 'int64' },
            backoff: { type: 'object', properties: { duration: string, factor: { type: 'integer', format: 'int64' }, maxDuration: string } },
          },
        },
      },
    },
  },
});

/** Every apiVersion/kind an example may hold, with its schema. */
export const EXAMPLE_SCHEMAS: ReadonlyMap<string, JSONSchemaProps> = new Map([
  ['v1 Namespace', namespaceSchema],
  ['source.toolkit.fluxcd.io/v1 GitRepository', gitRepositorySchema],
  ['source.toolkit.fluxcd.io/v1 OCIRepository', ociRepositorySchema],
  ['kustomize.toolkit.fluxcd.io/v1 Kustomization', fluxKustomizationSchema],
  ['argoproj.io/v1alpha1 Application', argoApplicationSchema],
]);
