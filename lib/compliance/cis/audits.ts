import { parseDocument } from '../objects.ts';
import { stringAt, arrayAt } from '../json.ts';
import { KUBE_BENCH_PATHS } from './kube-bench-cis-1.12.ts';
import type { AuditOutput } from './kube-bench-tests.ts';
import type { NodeState } from './node-state.ts';
import type { KubeBenchCheck } from './types.ts';
import type { ControlPlaneProcess } from './kubeadm.ts';

/**
 * What a check's audit command would print on a node of the model, or why
 * the templates cannot decide it. `undefined`: the check does not concern
 * this node (a control plane check on a worker).
 */
export type Audit = { readonly output: AuditOutput } | { readonly undecidable: string } | undefined;

const BINARIES: Readonly<Record<ControlPlaneProcess, string>> = { apiserver: 'kube-apiserver', controllermanager: 'kube-controller-manager', scheduler: 'kube-scheduler', etcd: 'etcd' };

const commandLine = (binary: string, flags: Readonly<Record<string, string>>) => [binary, ...Object.entries(flags).map(([k, v]) => `--${k}=${v}`)].join(' ');

/** `stat -c <format>` for one file of the model. */
function stat(node: NodeState, path: string, format: string): string | undefined {
  const f = node.files[path];
  if (!f) return undefined;
  return format.replace('%a', f.mode).replace('%U:%G', f.owner).replace('%n', path);
}

function statFormat(audit: string): string | undefined {
  return /stat -c "?([^"';|]+?)"? ?(?:\$|"|'|;|\||$)/.exec(audit)?.[1]?.trim();
}

function files(node: NodeState, paths: readonly string[], format: string): Audit {
  const lines = paths.flatMap((p) => stat(node, p, format) ?? []);
  return { output: { output: lines.join('\n') } };
}

export function auditFor(check: KubeBenchCheck, node: NodeState): Audit {
  const masterCheck = check.file.endsWith('/master.yaml') || check.file.endsWith('/etcd.yaml') || check.file.endsWith('/controlplane.yaml');
  if (masterCheck && !node.controlPlane) return undefined;
  const a = check.audit;
  if (check.tests.length === 0) return { undecidable: 'kube-bench has no test for it (type manual): a review of the running cluster' };
  if (a.includes('--cni-conf-dir')) return { undecidable: 'the CNI files are written by the CNI addon at run time, not by the templates' };
  if (a.includes('encryption-provider-config') && a.includes('providers:')) {
    if (node.processes.apiserver?.['encryption-provider-config'] === undefined) return { output: { output: '' } };
    if (node.encryptionConfig === undefined) return { undecidable: 'the encryption configuration comes from a Secret (contentFrom), not from the templates' };
    const parsed = parseDocument(node.encryptionConfig, 'encryption configuration');
    const provider = 'doc' in parsed ? Object.keys((arrayAt(arrayAt(parsed.doc, ['resources'])[0], ['providers'])[0] ?? {}) as object)[0] : undefined;
    return { output: { output: provider ? `provider=${provider}` : '' } };
  }
  const format = a.includes('stat') ? statFormat(a) : undefined;
  if (format !== undefined) {
    if (a.includes('--data-dir')) return files(node, [node.processes.etcd?.['data-dir'] ?? KUBE_BENCH_PATHS.etcdDataDir], format);
    const admin = /for adminconf in ([^;]+);/.exec(a);
    if (admin) return files(node, admin[1].trim().split(/\s+/), format);
    const pki = /find (\/etc\/kubernetes\/pki\/)(?: -name '\*(\.\w+)')?/.exec(a);
    if (pki) return files(node, Object.keys(node.files).filter((p) => (p === pki[1].slice(0, -1) || p.startsWith(pki[1])) && (pki[2] === undefined || p.endsWith(pki[2]))).sort(), format);
    if (a.includes('$kubeletcafile')) return files(node, [node.kubeletFlags['client-ca-file'] ?? stringAt(node.kubeletConfig, ['authentication', 'x509', 'clientCAFile']) ?? KUBE_BENCH_PATHS.$kubeletcafile], format);
    if (a.includes('$kubeletsvc')) {
      const svc = KUBE_BENCH_PATHS.$kubeletsvc.find((p) => node.files[p] !== undefined);
      const out = svc === undefined ? '' : (stat(node, svc, format) ?? '');
      // 4.1.2 prints "File not found" when there is none.
      return { output: { output: out === '' && a.includes('File not found') ? 'File not found' : out } };
    }
    const variable = /\$(\w+)/.exec(a.replace(/\$[A-Z_]+\b/g, ''))?.[0] as keyof typeof KUBE_BENCH_PATHS | undefined;
    const path = variable !== undefined ? KUBE_BENCH_PATHS[variable] : undefined;
    if (typeof path !== 'string') return { undecidable: `audit names no file the node model knows: ${a}` };
    return files(node, [path], format);
  }
  const bin = /\$(apiserver|controllermanager|scheduler|etcd)bin/.exec(a);
  if (bin) {
    const process = bin[1] as ControlPlaneProcess;
    const flags = node.processes[process];
    return flags ? { output: { output: commandLine(BINARIES[process], flags) } } : undefined;
  }
  if (a.includes('$kubeletbin')) return { output: { output: commandLine('kubelet', node.kubeletFlags), config: JSON.stringify(node.kubeletConfig) } };
  if (a.includes('$proxybin')) {
    if (!node.controlPlane) return undefined;
    // kubeadm's kube-proxy DaemonSet: the configuration comes from its ConfigMap, which the init node fills from the templates.
    return { output: { output: 'kube-proxy --config=/var/lib/kube-proxy/config.conf --hostname-override=$(NODE_NAME)', config: node.proxyConfig ? JSON.stringify(node.proxyConfig) : '' } };
  }
  return { undecidable: `audit reads nothing the templates set: ${a.split('\n')[0]}` };
}
