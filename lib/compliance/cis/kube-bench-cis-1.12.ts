/**
 * A data extract of kube-bench's CIS Kubernetes Benchmark checks: the
 * control plane (master), etcd, control plane configuration and worker node
 * sections of the benchmark kube-bench maps Kubernetes 1.32, 1.33 and 1.34
 * to (cfg/config.yaml version_mapping: "1.32"/"1.33"/"1.34" → cis-1.12).
 * Each entry keeps the check id, text, whether CIS marks it Automated or
 * Manual, kube-bench's own type/scored, the audit command and the test items
 * (flag or config path, set, compare op and value) verbatim. No kube-bench
 * code; extracted once with a YAML parser from the tagged files below.
 *
 * Source: https://github.com/aquasecurity/kube-bench, tag v0.15.6
 * (commit 92e522b9ac82d4253e8b7582de1e75f5dae1f4b5), files
 * cfg/cis-1.12/{master,etcd,controlplane,node}.yaml; Apache-2.0.
 */
import type { KubeBenchCheck } from './types.ts';

export const KUBE_BENCH_SOURCE = {
  repository: 'https://github.com/aquasecurity/kube-bench',
  tag: 'v0.15.6',
  commit: '92e522b9ac82d4253e8b7582de1e75f5dae1f4b5',
  benchmark: 'cis-1.12',
  /** cfg/config.yaml version_mapping */
  kubernetesVersions: ['1.32', '1.33', '1.34'],
} as const;

/**
 * The paths kube-bench's cfg/config.yaml resolves its variables to on a
 * kubeadm node (the first existing entry of each list; on kubeadm nodes
 * these are the kubeadm locations).
 */
export const KUBE_BENCH_PATHS = {
  $apiserverconf: '/etc/kubernetes/manifests/kube-apiserver.yaml',
  $controllermanagerconf: '/etc/kubernetes/manifests/kube-controller-manager.yaml',
  $schedulerconf: '/etc/kubernetes/manifests/kube-scheduler.yaml',
  $etcdconf: '/etc/kubernetes/manifests/etcd.yaml',
  $schedulerkubeconfig: '/etc/kubernetes/scheduler.conf',
  $controllermanagerkubeconfig: '/etc/kubernetes/controller-manager.conf',
  $kubeletkubeconfig: '/etc/kubernetes/kubelet.conf',
  $kubeletconf: '/var/lib/kubelet/config.yaml',
  $kubeletcafile: '/etc/kubernetes/pki/ca.crt',
  $proxykubeconfig: '/etc/kubernetes/proxy.conf',
  /** $etcddatadir is the fallback; kubeadm passes --data-dir, which the audit reads first. */
  etcdDataDir: '/var/lib/etcd',
  /** node.kubelet.svc, in kube-bench's order: the first that exists is $kubeletsvc. */
  $kubeletsvc: ['/etc/systemd/system/kubelet.service.d/10-kubeadm.conf', '/etc/systemd/system/kubelet.service', '/lib/systemd/system/kubelet.service'],
} as const;

export const KUBE_BENCH_CHECKS: readonly KubeBenchCheck[] = [
  {
    "id": "1.1.1",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the API server pod specification file permissions are set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $apiserverconf; then stat -c permissions=%a $apiserverconf; fi'",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.1.2",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the API server pod specification file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $apiserverconf; then stat -c %U:%G $apiserverconf; fi'",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.3",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the controller manager pod specification file permissions are set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $controllermanagerconf; then stat -c permissions=%a $controllermanagerconf; fi'",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.1.4",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the controller manager pod specification file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $controllermanagerconf; then stat -c %U:%G $controllermanagerconf; fi'",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.5",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the scheduler pod specification file permissions are set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $schedulerconf; then stat -c permissions=%a $schedulerconf; fi'",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.1.6",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the scheduler pod specification file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $schedulerconf; then stat -c %U:%G $schedulerconf; fi'",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.7",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the etcd pod specification file permissions are set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $etcdconf; then find $etcdconf -name '*etcd*' | xargs stat -c permissions=%a; fi'",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.1.8",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the etcd pod specification file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $etcdconf; then find $etcdconf -name '*etcd*' | xargs stat -c %U:%G; fi'",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.9",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the Container Network Interface file permissions are set to 600 or more restrictive (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "ps -ef | grep $kubeletbin | grep -- --cni-conf-dir | sed 's%.*cni-conf-dir[= ]\\([^ ]*\\).*%\\1%' | xargs -I{} find {} -mindepth 1 | xargs --no-run-if-empty stat -c permissions=%a\nfind /var/lib/cni/networks -type f 2> /dev/null | xargs --no-run-if-empty stat -c permissions=%a",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.1.10",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the Container Network Interface file ownership is set to root:root (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "ps -ef | grep $kubeletbin | grep -- --cni-conf-dir | sed 's%.*cni-conf-dir[= ]\\([^ ]*\\).*%\\1%' | xargs -I{} find {} -mindepth 1 | xargs --no-run-if-empty stat -c %U:%G\nfind /var/lib/cni/networks -type f 2> /dev/null | xargs --no-run-if-empty stat -c %U:%G",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.11",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the etcd data directory permissions are set to 700 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "DATA_DIR=''\nfor d in $(ps -ef | grep $etcdbin | grep -- --data-dir | sed 's%.*data-dir[= ]\\([^ ]*\\).*%\\1%'); do\n  if test -d \"$d\"; then DATA_DIR=\"$d\"; fi\ndone\nif ! test -d \"$DATA_DIR\"; then DATA_DIR=$etcddatadir; fi\nstat -c permissions=%a \"$DATA_DIR\"",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "700"
        }
      }
    ]
  },
  {
    "id": "1.1.12",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the etcd data directory ownership is set to etcd:etcd (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "DATA_DIR=''\nfor d in $(ps -ef | grep $etcdbin | grep -- --data-dir | sed 's%.*data-dir[= ]\\([^ ]*\\).*%\\1%'); do\n  if test -d \"$d\"; then DATA_DIR=\"$d\"; fi\ndone\nif ! test -d \"$DATA_DIR\"; then DATA_DIR=$etcddatadir; fi\nstat -c %U:%G \"$DATA_DIR\"",
    "tests": [
      {
        "flag": "etcd:etcd",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.13",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the default administrative credential file permissions are set to 600 (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "for adminconf in /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf; do if test -e $adminconf; then stat -c \"permissions=%a %n\" $adminconf; fi; done",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.1.14",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the default administrative credential file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "for adminconf in /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf; do if test -e $adminconf; then stat -c \"ownership=%U:%G %n\" $adminconf; fi; done",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "ownership",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "root:root"
        }
      }
    ]
  },
  {
    "id": "1.1.15",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the scheduler.conf file permissions are set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $schedulerkubeconfig; then stat -c permissions=%a $schedulerkubeconfig; fi'",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.1.16",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the scheduler.conf file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $schedulerkubeconfig; then stat -c %U:%G $schedulerkubeconfig; fi'",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.17",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the controller-manager.conf file permissions are set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $controllermanagerkubeconfig; then stat -c permissions=%a $controllermanagerkubeconfig; fi'",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.1.18",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the controller-manager.conf file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $controllermanagerkubeconfig; then stat -c %U:%G $controllermanagerkubeconfig; fi'",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.19",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the Kubernetes PKI directory and file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "find /etc/kubernetes/pki/ | xargs stat -c %U:%G",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "1.1.20",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the Kubernetes PKI certificate file permissions are set to 644 or more restrictive (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "find /etc/kubernetes/pki/ -name '*.crt' | xargs stat -c permissions=%a",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "644"
        }
      }
    ]
  },
  {
    "id": "1.1.21",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.1 Control Plane Node Configuration Files",
    "text": "Ensure that the Kubernetes PKI key file permissions are set to 600 (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "find /etc/kubernetes/pki/ -name '*.key' | xargs stat -c permissions=%a",
    "useMultipleValues": true,
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "1.2.1",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --anonymous-auth argument is set to false (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--anonymous-auth",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "1.2.2",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --token-auth-file parameter is not set (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--token-auth-file",
        "set": false
      }
    ]
  },
  {
    "id": "1.2.3",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --DenyServiceExternalIPs is set (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--enable-admission-plugins",
        "set": true,
        "compare": {
          "op": "has",
          "value": "DenyServiceExternalIPs"
        }
      }
    ]
  },
  {
    "id": "1.2.4",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "binOp": "and",
    "tests": [
      {
        "flag": "--kubelet-client-certificate",
        "set": true
      },
      {
        "flag": "--kubelet-client-key",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.5",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --kubelet-certificate-authority argument is set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--kubelet-certificate-authority",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.6",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --authorization-mode argument is not set to AlwaysAllow (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--authorization-mode",
        "set": true,
        "compare": {
          "op": "nothave",
          "value": "AlwaysAllow"
        }
      }
    ]
  },
  {
    "id": "1.2.7",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --authorization-mode argument includes Node (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--authorization-mode",
        "set": true,
        "compare": {
          "op": "has",
          "value": "Node"
        }
      }
    ]
  },
  {
    "id": "1.2.8",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --authorization-mode argument includes RBAC (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--authorization-mode",
        "set": true,
        "compare": {
          "op": "has",
          "value": "RBAC"
        }
      }
    ]
  },
  {
    "id": "1.2.9",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the admission control plugin EventRateLimit is set (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--enable-admission-plugins",
        "set": true,
        "compare": {
          "op": "has",
          "value": "EventRateLimit"
        }
      }
    ]
  },
  {
    "id": "1.2.10",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the admission control plugin AlwaysAdmit is not set (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--enable-admission-plugins",
        "set": true,
        "compare": {
          "op": "nothave",
          "value": "AlwaysAdmit"
        }
      },
      {
        "flag": "--enable-admission-plugins",
        "set": false
      }
    ]
  },
  {
    "id": "1.2.11",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the admission control plugin AlwaysPullImages is set (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--enable-admission-plugins",
        "set": true,
        "compare": {
          "op": "has",
          "value": "AlwaysPullImages"
        }
      }
    ]
  },
  {
    "id": "1.2.12",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the admission control plugin ServiceAccount is set (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--disable-admission-plugins",
        "set": true,
        "compare": {
          "op": "nothave",
          "value": "ServiceAccount"
        }
      },
      {
        "flag": "--disable-admission-plugins",
        "set": false
      }
    ]
  },
  {
    "id": "1.2.13",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the admission control plugin NamespaceLifecycle is set (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--disable-admission-plugins",
        "set": true,
        "compare": {
          "op": "nothave",
          "value": "NamespaceLifecycle"
        }
      },
      {
        "flag": "--disable-admission-plugins",
        "set": false
      }
    ]
  },
  {
    "id": "1.2.14",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the admission control plugin NodeRestriction is set (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--enable-admission-plugins",
        "set": true,
        "compare": {
          "op": "has",
          "value": "NodeRestriction"
        }
      }
    ]
  },
  {
    "id": "1.2.15",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --profiling argument is set to false (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--profiling",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "1.2.16",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --audit-log-path argument is set (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--audit-log-path",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.17",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --audit-log-maxage argument is set to 30 or as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--audit-log-maxage",
        "set": true,
        "compare": {
          "op": "gte",
          "value": "30"
        }
      }
    ]
  },
  {
    "id": "1.2.18",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--audit-log-maxbackup",
        "set": true,
        "compare": {
          "op": "gte",
          "value": "10"
        }
      }
    ]
  },
  {
    "id": "1.2.19",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--audit-log-maxsize",
        "set": true,
        "compare": {
          "op": "gte",
          "value": "100"
        }
      }
    ]
  },
  {
    "id": "1.2.20",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --request-timeout argument is set as appropriate (Manual)",
    "type": "manual",
    "kubeBenchType": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": []
  },
  {
    "id": "1.2.21",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --service-account-lookup argument is set to true (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--service-account-lookup",
        "set": false
      },
      {
        "flag": "--service-account-lookup",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "true"
        }
      }
    ]
  },
  {
    "id": "1.2.22",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --service-account-key-file argument is set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--service-account-key-file",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.23",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "binOp": "and",
    "tests": [
      {
        "flag": "--etcd-certfile",
        "set": true
      },
      {
        "flag": "--etcd-keyfile",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.24",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "binOp": "and",
    "tests": [
      {
        "flag": "--tls-cert-file",
        "set": true
      },
      {
        "flag": "--tls-private-key-file",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.25",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --client-ca-file argument is set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--client-ca-file",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.26",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --etcd-cafile argument is set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--etcd-cafile",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.27",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --encryption-provider-config argument is set as appropriate (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--encryption-provider-config",
        "set": true
      }
    ]
  },
  {
    "id": "1.2.28",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that encryption providers are appropriately configured (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "ENCRYPTION_PROVIDER_CONFIG=$(ps -ef | grep $apiserverbin | grep -- --encryption-provider-config | sed 's%.*encryption-provider-config[= ]\\([^ ]*\\).*%\\1%')\nif test -e $ENCRYPTION_PROVIDER_CONFIG; then grep -A1 'providers:' $ENCRYPTION_PROVIDER_CONFIG | tail -n1 | grep -o \"[A-Za-z]*\" | sed 's/^/provider=/'; fi",
    "tests": [
      {
        "flag": "provider",
        "set": true,
        "compare": {
          "op": "valid_elements",
          "value": "aescbc,kms,secretbox"
        }
      }
    ]
  },
  {
    "id": "1.2.29",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the API Server only makes use of Strong Cryptographic Ciphers (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--tls-cipher-suites",
        "set": true,
        "compare": {
          "op": "valid_elements",
          "value": "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        }
      }
    ]
  },
  {
    "id": "1.2.30",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.2 API Server",
    "text": "Ensure that the --service-account-extend-token-expiration parameter is set to false (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--service-account-extend-token-expiration",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "1.3.1",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.3 Controller Manager",
    "text": "Ensure that the --terminated-pod-gc-threshold argument is set as appropriate (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $controllermanagerbin | grep -v grep",
    "tests": [
      {
        "flag": "--terminated-pod-gc-threshold",
        "set": true
      }
    ]
  },
  {
    "id": "1.3.2",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.3 Controller Manager",
    "text": "Ensure that the --profiling argument is set to false (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $controllermanagerbin | grep -v grep",
    "tests": [
      {
        "flag": "--profiling",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "1.3.3",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.3 Controller Manager",
    "text": "Ensure that the --use-service-account-credentials argument is set to true (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $controllermanagerbin | grep -v grep",
    "tests": [
      {
        "flag": "--use-service-account-credentials",
        "set": true,
        "compare": {
          "op": "noteq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "1.3.4",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.3 Controller Manager",
    "text": "Ensure that the --service-account-private-key-file argument is set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $controllermanagerbin | grep -v grep",
    "tests": [
      {
        "flag": "--service-account-private-key-file",
        "set": true
      }
    ]
  },
  {
    "id": "1.3.5",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.3 Controller Manager",
    "text": "Ensure that the --root-ca-file argument is set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $controllermanagerbin | grep -v grep",
    "tests": [
      {
        "flag": "--root-ca-file",
        "set": true
      }
    ]
  },
  {
    "id": "1.3.6",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.3 Controller Manager",
    "text": "Ensure that the RotateKubeletServerCertificate argument is set to true (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $controllermanagerbin | grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--feature-gates",
        "set": true,
        "compare": {
          "op": "nothave",
          "value": "RotateKubeletServerCertificate=false"
        }
      },
      {
        "flag": "--feature-gates",
        "set": false
      }
    ]
  },
  {
    "id": "1.3.7",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.3 Controller Manager",
    "text": "Ensure that the --bind-address argument is set to 127.0.0.1 (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $controllermanagerbin | grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--bind-address",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "127.0.0.1"
        }
      },
      {
        "flag": "--bind-address",
        "set": false
      }
    ]
  },
  {
    "id": "1.4.1",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.4 Scheduler",
    "text": "Ensure that the --profiling argument is set to false (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $schedulerbin | grep -v grep",
    "tests": [
      {
        "flag": "--profiling",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "1.4.2",
    "file": "cfg/cis-1.12/master.yaml",
    "group": "1.4 Scheduler",
    "text": "Ensure that the --bind-address argument is set to 127.0.0.1 (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | grep $schedulerbin | grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--bind-address",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "127.0.0.1"
        }
      },
      {
        "flag": "--bind-address",
        "set": false
      }
    ]
  },
  {
    "id": "2.1",
    "file": "cfg/cis-1.12/etcd.yaml",
    "group": "2 Etcd Node Configuration",
    "text": "Ensure that the --cert-file and --key-file arguments are set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | /bin/grep $etcdbin | /bin/grep -v grep",
    "binOp": "and",
    "tests": [
      {
        "flag": "--cert-file",
        "set": true
      },
      {
        "flag": "--key-file",
        "set": true
      }
    ]
  },
  {
    "id": "2.2",
    "file": "cfg/cis-1.12/etcd.yaml",
    "group": "2 Etcd Node Configuration",
    "text": "Ensure that the --client-cert-auth argument is set to true (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | /bin/grep $etcdbin | /bin/grep -v grep",
    "tests": [
      {
        "flag": "--client-cert-auth",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "true"
        }
      }
    ]
  },
  {
    "id": "2.3",
    "file": "cfg/cis-1.12/etcd.yaml",
    "group": "2 Etcd Node Configuration",
    "text": "Ensure that the --auto-tls argument is not set to true (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | /bin/grep $etcdbin | /bin/grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--auto-tls",
        "set": false
      },
      {
        "flag": "--auto-tls",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "2.4",
    "file": "cfg/cis-1.12/etcd.yaml",
    "group": "2 Etcd Node Configuration",
    "text": "Ensure that the --peer-cert-file and --peer-key-file arguments are set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | /bin/grep $etcdbin | /bin/grep -v grep",
    "binOp": "and",
    "tests": [
      {
        "flag": "--peer-cert-file",
        "set": true
      },
      {
        "flag": "--peer-key-file",
        "set": true
      }
    ]
  },
  {
    "id": "2.5",
    "file": "cfg/cis-1.12/etcd.yaml",
    "group": "2 Etcd Node Configuration",
    "text": "Ensure that the --peer-client-cert-auth argument is set to true (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | /bin/grep $etcdbin | /bin/grep -v grep",
    "tests": [
      {
        "flag": "--peer-client-cert-auth",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "true"
        }
      }
    ]
  },
  {
    "id": "2.6",
    "file": "cfg/cis-1.12/etcd.yaml",
    "group": "2 Etcd Node Configuration",
    "text": "Ensure that the --peer-auto-tls argument is not set to true (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -ef | /bin/grep $etcdbin | /bin/grep -v grep",
    "binOp": "or",
    "tests": [
      {
        "flag": "--peer-auto-tls",
        "set": false
      },
      {
        "flag": "--peer-auto-tls",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "2.7",
    "file": "cfg/cis-1.12/etcd.yaml",
    "group": "2 Etcd Node Configuration",
    "text": "Ensure that a unique Certificate Authority is used for etcd (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | /bin/grep $etcdbin | /bin/grep -v grep",
    "tests": [
      {
        "flag": "--trusted-ca-file",
        "set": true
      }
    ]
  },
  {
    "id": "3.1.1",
    "file": "cfg/cis-1.12/controlplane.yaml",
    "group": "3.1 Authentication and Authorization",
    "text": "Client certificate authentication should not be used for users (Manual)",
    "type": "manual",
    "kubeBenchType": "manual",
    "scored": false,
    "audit": "",
    "tests": []
  },
  {
    "id": "3.1.2",
    "file": "cfg/cis-1.12/controlplane.yaml",
    "group": "3.1 Authentication and Authorization",
    "text": "Service account token authentication should not be used for users (Manual)",
    "type": "manual",
    "kubeBenchType": "manual",
    "scored": false,
    "audit": "",
    "tests": []
  },
  {
    "id": "3.1.3",
    "file": "cfg/cis-1.12/controlplane.yaml",
    "group": "3.1 Authentication and Authorization",
    "text": "Bootstrap token authentication should not be used for users (Manual)",
    "type": "manual",
    "kubeBenchType": "manual",
    "scored": false,
    "audit": "",
    "tests": []
  },
  {
    "id": "3.2.1",
    "file": "cfg/cis-1.12/controlplane.yaml",
    "group": "3.2 Logging",
    "text": "Ensure that a minimal audit policy is created (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -ef | grep $apiserverbin | grep -v grep",
    "tests": [
      {
        "flag": "--audit-policy-file",
        "set": true
      }
    ]
  },
  {
    "id": "3.2.2",
    "file": "cfg/cis-1.12/controlplane.yaml",
    "group": "3.2 Logging",
    "text": "Ensure that the audit policy covers key security concerns (Manual)",
    "type": "manual",
    "kubeBenchType": "manual",
    "scored": false,
    "audit": "",
    "tests": []
  },
  {
    "id": "4.1.1",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "Ensure that the kubelet service file permissions are set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $kubeletsvc; then stat -c permissions=%a $kubeletsvc; fi'",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "4.1.2",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "Ensure that the kubelet service file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c \"if test -e $kubeletsvc; then stat -c %U:%G $kubeletsvc; else echo \\\"File not found\\\"; fi\"",
    "binOp": "or",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      },
      {
        "flag": "File not found",
        "set": true
      }
    ]
  },
  {
    "id": "4.1.3",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "If proxy kubeconfig file exists ensure permissions are set to 600 or more restrictive (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/sh -c 'if test -e $proxykubeconfig; then stat -c permissions=%a $proxykubeconfig; fi'",
    "binOp": "or",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "4.1.4",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "If proxy kubeconfig file exists ensure ownership is set to root:root (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/sh -c 'if test -e $proxykubeconfig; then stat -c %U:%G $proxykubeconfig; fi'",
    "binOp": "or",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "4.1.5",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $kubeletkubeconfig; then stat -c permissions=%a $kubeletkubeconfig; fi'",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "4.1.6",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "Ensure that the --kubeconfig kubelet.conf file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $kubeletkubeconfig; then stat -c %U:%G $kubeletkubeconfig; fi'",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "4.1.7",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "Ensure that the certificate authorities file permissions are set to 644 or more restrictive (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "CAFILE=$(ps -ef | grep kubelet | grep -v apiserver | grep -- --client-ca-file= | awk -F '--client-ca-file=' '{print $2}' | awk '{print $1}' | uniq)\nif test -z $CAFILE; then CAFILE=$kubeletcafile; fi\nif test -e $CAFILE; then stat -c permissions=%a $CAFILE; fi",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "644"
        }
      }
    ]
  },
  {
    "id": "4.1.8",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "Ensure that the client certificate authorities file ownership is set to root:root (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "CAFILE=$(ps -ef | grep kubelet | grep -v apiserver | grep -- --client-ca-file= | awk -F '--client-ca-file=' '{print $2}' | awk '{print $1}' | uniq)\nif test -z $CAFILE; then CAFILE=$kubeletcafile; fi\nif test -e $CAFILE; then stat -c %U:%G $CAFILE; fi",
    "tests": [
      {
        "flag": "root:root",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "root:root"
        }
      }
    ]
  },
  {
    "id": "4.1.9",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "If the kubelet config.yaml configuration file is being used validate permissions set to 600 or more restrictive (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $kubeletconf; then stat -c permissions=%a $kubeletconf; fi'",
    "tests": [
      {
        "flag": "permissions",
        "set": true,
        "compare": {
          "op": "bitmask",
          "value": "600"
        }
      }
    ]
  },
  {
    "id": "4.1.10",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.1 Worker Node Configuration Files",
    "text": "If the kubelet config.yaml configuration file is being used validate file ownership is set to root:root (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/sh -c 'if test -e $kubeletconf; then stat -c %U:%G $kubeletconf; fi'",
    "tests": [
      {
        "flag": "root:root",
        "set": true
      }
    ]
  },
  {
    "id": "4.2.1",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --anonymous-auth argument is set to false (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "tests": [
      {
        "flag": "--anonymous-auth",
        "path": "{.authentication.anonymous.enabled}",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "false"
        }
      }
    ]
  },
  {
    "id": "4.2.2",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --authorization-mode argument is not set to AlwaysAllow (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "tests": [
      {
        "flag": "--authorization-mode",
        "path": "{.authorization.mode}",
        "set": true,
        "compare": {
          "op": "nothave",
          "value": "AlwaysAllow"
        }
      }
    ]
  },
  {
    "id": "4.2.3",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --client-ca-file argument is set as appropriate (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "tests": [
      {
        "flag": "--client-ca-file",
        "path": "{.authentication.x509.clientCAFile}",
        "set": true
      }
    ]
  },
  {
    "id": "4.2.4",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Verify that if defined, the --read-only-port argument is set to 0 (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "binOp": "or",
    "tests": [
      {
        "flag": "--read-only-port",
        "path": "{.readOnlyPort}",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "0"
        }
      },
      {
        "flag": "--read-only-port",
        "path": "{.readOnlyPort}",
        "set": false
      }
    ]
  },
  {
    "id": "4.2.5",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --streaming-connection-idle-timeout argument is not set to 0 (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "binOp": "or",
    "tests": [
      {
        "flag": "--streaming-connection-idle-timeout",
        "path": "{.streamingConnectionIdleTimeout}",
        "set": true,
        "compare": {
          "op": "noteq",
          "value": "0"
        }
      },
      {
        "flag": "--streaming-connection-idle-timeout",
        "path": "{.streamingConnectionIdleTimeout}",
        "set": false
      }
    ]
  },
  {
    "id": "4.2.6",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --make-iptables-util-chains argument is set to true (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "binOp": "or",
    "tests": [
      {
        "flag": "--make-iptables-util-chains",
        "path": "{.makeIPTablesUtilChains}",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "true"
        }
      },
      {
        "flag": "--make-iptables-util-chains",
        "path": "{.makeIPTablesUtilChains}",
        "set": false
      }
    ]
  },
  {
    "id": "4.2.7",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --hostname-override argument is not set (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "tests": [
      {
        "flag": "--hostname-override",
        "set": false
      }
    ]
  },
  {
    "id": "4.2.8",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the eventRecordQPS argument is set to a level which ensures appropriate event capture (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "binOp": "or",
    "tests": [
      {
        "flag": "--event-qps",
        "path": "{.eventRecordQPS}",
        "set": true,
        "compare": {
          "op": "gte",
          "value": "0"
        }
      },
      {
        "flag": "--event-qps",
        "path": "{.eventRecordQPS}",
        "set": false
      }
    ]
  },
  {
    "id": "4.2.9",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "tests": [
      {
        "flag": "--tls-cert-file",
        "path": "{.tlsCertFile}",
        "set": true
      },
      {
        "flag": "--tls-private-key-file",
        "path": "{.tlsPrivateKeyFile}",
        "set": true
      }
    ]
  },
  {
    "id": "4.2.10",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --rotate-certificates argument is not set to false (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "binOp": "or",
    "tests": [
      {
        "flag": "--rotate-certificates",
        "path": "{.rotateCertificates}",
        "set": true,
        "compare": {
          "op": "eq",
          "value": "true"
        }
      },
      {
        "flag": "--rotate-certificates",
        "path": "{.rotateCertificates}",
        "set": false
      }
    ]
  },
  {
    "id": "4.2.11",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Verify that the RotateKubeletServerCertificate argument is set to true (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "binOp": "or",
    "tests": [
      {
        "flag": "RotateKubeletServerCertificate",
        "path": "{.featureGates.RotateKubeletServerCertificate}",
        "set": true,
        "compare": {
          "op": "nothave",
          "value": "false"
        }
      },
      {
        "flag": "RotateKubeletServerCertificate",
        "path": "{.featureGates.RotateKubeletServerCertificate}",
        "set": false
      }
    ]
  },
  {
    "id": "4.2.12",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "tests": [
      {
        "flag": "--tls-cipher-suites",
        "path": "{range .tlsCipherSuites[:]}{}{','}{end}",
        "set": true,
        "compare": {
          "op": "valid_elements",
          "value": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        }
      }
    ]
  },
  {
    "id": "4.2.13",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that a limit is set on pod PIDs (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "tests": [
      {
        "flag": "--pod-max-pids",
        "path": "{.podPidsLimit}",
        "set": true
      }
    ]
  },
  {
    "id": "4.2.14",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.2 Kubelet",
    "text": "Ensure that the --seccomp-default parameter is set to true (Manual)",
    "type": "manual",
    "scored": false,
    "audit": "/bin/ps -fC $kubeletbin",
    "auditConfig": "/bin/cat $kubeletconf",
    "tests": [
      {
        "flag": "--seccomp-default",
        "path": "{.seccompDefault}",
        "set": true
      }
    ]
  },
  {
    "id": "4.3.1",
    "file": "cfg/cis-1.12/node.yaml",
    "group": "4.3 kube-proxy",
    "text": "Ensure that the kube-proxy metrics service is bound to localhost (Automated)",
    "type": "automated",
    "scored": true,
    "audit": "/bin/ps -fC $proxybin",
    "auditConfig": "/bin/sh -c 'if test -e $proxykubeconfig; then cat $proxykubeconfig; fi'",
    "binOp": "or",
    "tests": [
      {
        "flag": "--metrics-bind-address",
        "path": "{.metricsBindAddress}",
        "set": true,
        "compare": {
          "op": "has",
          "value": "127.0.0.1"
        }
      },
      {
        "flag": "--metrics-bind-address",
        "path": "{.metricsBindAddress}",
        "set": false
      }
    ]
  }
];
