import { and, ne, not, or, type Condition } from '../expression.ts';
import { oidcEnabled } from '../features/oidc.ts';
import { authenticationConfiguration, restrictAnonymousAuth, unrestrictedAuthenticationConfiguration } from './authentication.ts';
import type { KubeadmConfigTemplate } from '../kubeadm-config-template.ts';
import { KubeadmConfigTemplatePaths } from '../kubeadm-config-template.ts';
import { KubeadmControlPlaneTemplatePaths as Kcp, type KubeadmControlPlaneTemplate } from '../kubeadm-control-plane-template.ts';
import type { KubeadmFile } from '../kubeadm-files.ts';
import type { KubernetesVersion } from '../kubernetes-version.ts';
import type { MachineDeploymentClass } from '../machine-deployment-class.ts';
import { ClusterClassPatch, JsonPatch, PatchSelector, PatchValue, type ClusterClassFeature, type PatchDefinition } from '../patch.ts';
import { interpolate, when } from '../value-template.ts';
import { ClusterClassVariable } from '../variable.ts';
import { VariableSchema } from '../variable-schema.ts';
import {
  ADMISSION_PLUGINS,
  admissionConfiguration,
  auditPolicy,
  etcdDataDirCommands,
  eventRateLimitConfiguration,
  HardeningPaths as P,
  kubeletConfigurationPatch,
  kubeletUnitFilesCommand,
  kubeProxyConfiguration,
  kubeProxyPatchScript,
  sysctlConfiguration,
  TLS_CIPHER_SUITES,
  TLS_MIN_VERSION,
} from './config-files.ts';

/** The variables that trade security for compatibility (N1–N9 of the baseline), each with its safe default. */
export const hardeningVariables = {
  restrictAnonymousAuth,
  kubeletServingCertificates: new ClusterClassVariable('kubeletServingCertificates', {
    schema: VariableSchema.boolean({
      default: true,
      example: true,
      description: 'N2 (CIS 1.2.5, 4.2.10-11): kubelets request serving certificates from the cluster CA (serverTLSBootstrap), the kubelet-csr-approver addon approves them, the API server verifies kubelets and metrics-server runs without --kubelet-insecure-tls. Until a node\'s certificate is approved, logs/exec/metrics on that node fail. false restores kubeadm\'s self-signed kubelet certificates.',
    }),
  }),
  encryptionAtRestSecretName: new ClusterClassVariable('encryptionAtRestSecretName', {
    schema: VariableSchema.string({
      default: '',
      example: 'my-cluster-encryption-config',
      pattern: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      description: 'N3 (CIS 1.2.27-28): name of a Secret in the Cluster\'s namespace whose key encryption-config.yaml is an EncryptionConfiguration for secrets (secretbox or aescbc first, identity last). The Secret must exist before machines bootstrap; losing the key loses the secrets; rotate by adding the new key second, rolling the control plane, moving it first, rolling again. Empty: no encryption at rest.',
    }),
  }),
  exposeControlPlaneMetrics: new ClusterClassVariable('exposeControlPlaneMetrics', {
    schema: VariableSchema.boolean({
      default: false,
      example: true,
      description: 'N7 (CIS 1.3.7, 1.4.2): bind controller-manager, scheduler, etcd metrics and kube-proxy metrics to all interfaces so Prometheus can scrape them. Off by default: loopback only.',
    }),
  }),
  admissionAlwaysPullImages: new ClusterClassVariable('admissionAlwaysPullImages', {
    schema: VariableSchema.boolean({
      default: false,
      example: true,
      description: 'N9 (CIS 1.2.11): the AlwaysPullImages admission plugin, so pods cannot use images pulled by others without credentials. Costs registry traffic and start-up time; pods fail while the registry is unreachable.',
    }),
  }),
  serviceAccountExtendTokenExpiration: new ClusterClassVariable('serviceAccountExtendTokenExpiration', {
    schema: VariableSchema.boolean({
      default: false,
      example: true,
      description: 'N9 (CIS 1.2.30): let the API server extend projected service account tokens to a year for old clients. Off by default: tokens expire as requested.',
    }),
  }),
  kubeletPodPidsLimit: new ClusterClassVariable('kubeletPodPidsLimit', {
    schema: VariableSchema.integer({ default: 4096, minimum: 64, maximum: 4194304, example: 8192, description: 'N9 (CIS 4.2.13): the most processes a pod may run; protects nodes from fork bombs.' }),
  }),
  kubeletSeccompDefault: new ClusterClassVariable('kubeletSeccompDefault', {
    schema: VariableSchema.boolean({ default: true, example: true, description: 'N9 (CIS 4.2.14): run containers with the RuntimeDefault seccomp profile unless they ask for another. false: Unconfined, as Kubernetes\' default.' }),
  }),
  kubeletStreamingConnectionIdleTimeoutMinutes: new ClusterClassVariable('kubeletStreamingConnectionIdleTimeoutMinutes', {
    schema: VariableSchema.integer({ default: 5, minimum: 1, maximum: 240, example: 30, description: 'N9 (CIS 4.2.5): minutes an idle exec/attach/port-forward stream stays open.' }),
  }),
} as const;

const V = hardeningVariables;

export interface KubernetesHardeningProps {
  readonly controlPlane: KubeadmControlPlaneTemplate;
  readonly workers: readonly { readonly bootstrap: KubeadmConfigTemplate; readonly classes: readonly MachineDeploymentClass[] }[];
  /** Selects AuthenticationConfiguration's API version. */
  readonly kubernetes: KubernetesVersion;
  /** Whether the class also has the OIDC feature, whose patch writes its own authentication configuration. @default false */
  readonly withOidc?: boolean;
  /**
   * kubelet protectKernelDefaults with the sysctls it needs (N4). Turn off
   * only where nodes share the host's kernel (CAPD's containers), where
   * `sysctl --system` would change the host.
   * @default true
   */
  readonly protectKernelDefaults?: boolean;
}

const file = (path: string, content: string, permissions = '0600'): KubeadmFile => ({ path, content, owner: 'root:root', permissions });

/**
 * The security baseline (../shared/docs/hardening.md sections A–C) for the
 * kubeadm control plane and worker bootstrap templates.
 *
 * The templates carry the secure configuration, so what they say is what a
 * cluster with default variables gets; every variable relaxes or adds one
 * documented trade-off through a patch. It applies the static part to the
 * templates and returns the variables and patches for the ClusterClass.
 */
export function kubernetesHardening(props: KubernetesHardeningProps): ClusterClassFeature {
  const cp = props.controlPlane;

  cp.addExtraArgs('apiServer', {
    'enable-admission-plugins': ADMISSION_PLUGINS.join(','),
    'admission-control-config-file': P.admissionConfig,
    'authorization-mode': 'Node,RBAC',
    profiling: 'false',
    'audit-log-path': P.auditLog,
    'audit-log-maxage': '30',
    'audit-log-maxbackup': '10',
    'audit-log-maxsize': '100',
    'audit-policy-file': P.auditPolicy,
    'request-timeout': '60s',
    'max-requests-inflight': '400',
    'max-mutating-requests-inflight': '200',
    'min-request-timeout': '1800',
    'service-account-lookup': 'true',
    'service-account-extend-token-expiration': 'false',
    'tls-min-version': TLS_MIN_VERSION,
    'tls-cipher-suites': TLS_CIPHER_SUITES.join(','),
    'kubelet-certificate-authority': P.clusterCA,
    // N1: anonymous requests only to health checks and join discovery.
    'authentication-config': P.authenticationConfig,
  });
  cp.addExtraArgs('controllerManager', {
    'terminated-pod-gc-threshold': '1000',
    profiling: 'false',
    'use-service-account-credentials': 'true',
    'bind-address': '127.0.0.1',
  });
  cp.addExtraArgs('scheduler', { profiling: 'false', 'bind-address': '127.0.0.1' });
  cp.addExtraArgs('etcd', {
    'client-cert-auth': 'true',
    'peer-client-cert-auth': 'true',
    'auto-tls': 'false',
    'peer-auto-tls': 'false',
    'cipher-suites': TLS_CIPHER_SUITES.join(','),
    'listen-metrics-urls': 'http://127.0.0.1:2381',
    'auto-compaction-mode': 'periodic',
    'auto-compaction-retention': '8h',
  });
  // N5: every file a flag names is written and mounted.
  cp.addApiServerVolumes(
    { name: 'admission', hostPath: P.admissionDir, mountPath: P.admissionDir, pathType: 'DirectoryOrCreate' },
    { name: 'audit-policy', hostPath: P.auditDir, mountPath: P.auditDir, pathType: 'DirectoryOrCreate' },
    { name: 'audit-log', hostPath: P.auditLogDir, mountPath: P.auditLogDir, readOnly: false, pathType: 'DirectoryOrCreate' },
    { name: 'authentication', hostPath: P.authenticationDir, mountPath: P.authenticationDir, pathType: 'DirectoryOrCreate' },
  );
  cp.addFiles(
    file(P.admissionConfig, admissionConfiguration()),
    file(P.eventRateLimitConfig, eventRateLimitConfiguration()),
    file(P.auditPolicy, auditPolicy()),
    file(P.kubeProxyConfig, kubeProxyConfiguration('127.0.0.1:10249')),
    file(P.kubeProxyPatchScript, kubeProxyPatchScript(), '0700'),
  );
  cp.addPreKubeadmCommands(`bash ${P.kubeProxyPatchScript}`, ...etcdDataDirCommands());

  // C: the kubelet configuration patch, sysctls and config file mode, identical on every node.
  const protect = props.protectKernelDefaults ?? true;
  const nodeFiles = [file(P.kubeletPatch, kubeletConfigurationPatch(protect)), ...(protect ? [file(P.sysctl, sysctlConfiguration(), '0644')] : [])];
  const nodePre = protect ? ['sysctl --system'] : [];
  const nodePost = ['chmod 600 /var/lib/kubelet/config.yaml', kubeletUnitFilesCommand()];
  cp.addFiles(...nodeFiles);
  cp.addFiles(file(P.authenticationConfig, authenticationConfiguration(props.kubernetes)));
  cp.addPreKubeadmCommands(...nodePre);
  cp.addPostKubeadmCommands(...nodePost);
  cp.setKubeadmPatchesDirectory(P.kubeadmPatchesDir);
  cp.setCertificatesExpiryDays(60);
  for (const w of props.workers) {
    w.bootstrap.addFiles(...nodeFiles);
    w.bootstrap.addPreKubeadmCommands(...nodePre);
    w.bootstrap.addPostKubeadmCommands(...nodePost);
    w.bootstrap.setKubeadmPatchesDirectory(P.kubeadmPatchesDir);
  }

  const controlPlane = PatchSelector.controlPlane(cp.resource);
  const workerSelectors = props.workers.map((w) => PatchSelector.machineDeploymentClasses(w.bootstrap.resource, w.classes));
  const onEveryNode = (value: PatchValue): PatchDefinition[] => [
    { selector: controlPlane, jsonPatches: [JsonPatch.add(Kcp.appendFile, value)] },
    ...workerSelectors.map((selector) => ({ selector, jsonPatches: [JsonPatch.add(KubeadmConfigTemplatePaths.appendFile, value)] })),
  ];
  const patch = (name: string, description: string, enabledIf: Condition, definitions: readonly PatchDefinition[]) =>
    new ClusterClassPatch({ name, description, enabledIf, definitions });
  const volume = (name: string, dir: string) => JsonPatch.add(Kcp.appendApiServerExtraVolume, PatchValue.literal({ name, hostPath: dir, mountPath: dir, readOnly: true, pathType: 'DirectoryOrCreate' }));

  // One patch owns --authentication-config (Cluster API v1beta2 cannot address an arg from two patches):
  // the OIDC file (written by the oidcConfig patch, following restrictAnonymousAuth itself) or the unrestricted one.
  const oidc = props.withOidc ? oidcEnabled : undefined;
  const unrestricted: Condition = oidc ? and(not(V.restrictAnonymousAuth.ref), not(oidc)) : not(V.restrictAnonymousAuth.ref);
  const authenticationFlag = oidc ? PatchValue.template(when(oidc, P.oidcAuthenticationConfig, P.unrestrictedAuthenticationConfig)) : PatchValue.literal(P.unrestrictedAuthenticationConfig);
  const exposed = 'http://0.0.0.0:2381';

  return {
    variables: Object.values(V),
    patches: [
      patch('unrestrictedAnonymousAuth', 'restrictAnonymousAuth false: an AuthenticationConfiguration that lets anonymous requests reach every endpoint (kubeadm\'s default; RBAC still applies).', unrestricted, [
        { selector: controlPlane, jsonPatches: [JsonPatch.add(Kcp.appendFile, PatchValue.literal(file(P.unrestrictedAuthenticationConfig, unrestrictedAuthenticationConfiguration(props.kubernetes))))] },
      ]),
      patch(
        'authenticationConfig',
        oidc ? 'Points the API server at the OIDC AuthenticationConfiguration (oidcConfig set) or at the unrestricted one (restrictAnonymousAuth false).' : 'restrictAnonymousAuth false: points the API server at the unrestricted AuthenticationConfiguration.',
        oidc ? or(not(V.restrictAnonymousAuth.ref), oidc) : not(V.restrictAnonymousAuth.ref),
        [{ selector: controlPlane, jsonPatches: [JsonPatch.add(Kcp.extraArg('apiServer', 'authentication-config'), authenticationFlag)] }],
      ),
      patch('kubeletSelfSignedServingCertificates', 'kubeletServingCertificates false: kubelets keep self-signed serving certificates and the API server does not verify them.', not(V.kubeletServingCertificates.ref), [
        { selector: controlPlane, jsonPatches: [JsonPatch.remove(Kcp.extraArg('apiServer', 'kubelet-certificate-authority'))] },
        ...onEveryNode(PatchValue.literal(file(P.kubeletServingPatch, '{"serverTLSBootstrap":false}\n'))),
      ]),
      patch('encryptionAtRest', 'Encrypts secrets at rest with the EncryptionConfiguration from the Secret encryptionAtRestSecretName (never inline).', ne(V.encryptionAtRestSecretName.ref, ''), [
        {
          selector: controlPlane,
          jsonPatches: [
            JsonPatch.add(Kcp.appendFile, PatchValue.template({
              path: P.encryptionConfig,
              owner: 'root:root',
              permissions: '0600',
              contentFrom: { secret: { name: V.encryptionAtRestSecretName.ref, key: 'encryption-config.yaml' } },
            })),
            volume('encryption', P.encryptionDir),
            JsonPatch.add(Kcp.extraArg('apiServer', 'encryption-provider-config'), PatchValue.literal(P.encryptionConfig)),
          ],
        },
      ]),
      patch('exposeControlPlaneMetrics', 'Binds controller-manager, scheduler, etcd and kube-proxy metrics to all interfaces.', V.exposeControlPlaneMetrics.ref, [
        {
          selector: controlPlane,
          jsonPatches: [
            JsonPatch.replace(Kcp.extraArg('controllerManager', 'bind-address'), PatchValue.literal('0.0.0.0')),
            JsonPatch.replace(Kcp.extraArg('scheduler', 'bind-address'), PatchValue.literal('0.0.0.0')),
            JsonPatch.replace(Kcp.extraArg('etcd', 'listen-metrics-urls'), PatchValue.literal(exposed)),
            JsonPatch.add(Kcp.appendFile, PatchValue.literal(file(P.kubeProxyMetricsBindAddress, '0.0.0.0:10249\n', '0644'))),
          ],
        },
      ]),
      patch('admissionAlwaysPullImages', 'Adds the AlwaysPullImages admission plugin.', V.admissionAlwaysPullImages.ref, [
        { selector: controlPlane, jsonPatches: [JsonPatch.replace(Kcp.extraArg('apiServer', 'enable-admission-plugins'), PatchValue.literal([...ADMISSION_PLUGINS, 'AlwaysPullImages'].join(',')))] },
      ]),
      patch('serviceAccountExtendTokenExpiration', 'Lets the API server extend projected service account tokens for old clients.', V.serviceAccountExtendTokenExpiration.ref, [
        { selector: controlPlane, jsonPatches: [JsonPatch.replace(Kcp.extraArg('apiServer', 'service-account-extend-token-expiration'), PatchValue.literal('true'))] },
      ]),
      patch(
        'kubeletTradeOffs',
        'Overrides podPidsLimit, seccompDefault and streamingConnectionIdleTimeout of the kubelet on every node when they differ from the baseline.',
        or(ne(V.kubeletPodPidsLimit.ref, 4096), not(V.kubeletSeccompDefault.ref), ne(V.kubeletStreamingConnectionIdleTimeoutMinutes.ref, 5)),
        onEveryNode(PatchValue.template({
          path: P.kubeletTradeOffPatch,
          owner: 'root:root',
          permissions: '0600',
          content: interpolate('{"podPidsLimit":', V.kubeletPodPidsLimit.ref, ',"seccompDefault":', V.kubeletSeccompDefault.ref, ',"streamingConnectionIdleTimeout":"', V.kubeletStreamingConnectionIdleTimeoutMinutes.ref, 'm"}\n'),
        })),
      ),
    ],
  };
}
