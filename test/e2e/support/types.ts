/**
 * What the e2e global setup (global-setup.ts) prepares once per run and hands
 * to every test file through vitest's provide/inject.
 */
export interface E2eTools {
  readonly helm: string;
  readonly clusterctl: string;
  readonly csoCheck: string;
  readonly overwriteRender: string;
  readonly k8sCheck: string;
}

/** One release folder `<tag>/` as the release command writes it. */
export interface ReleaseInfo {
  readonly tag: string;
  /** Absolute path of the release folder. */
  readonly dir: string;
  /** `<provider>/<stack>/<major>-<minor>`: the bundle's folder below dist/. */
  readonly bundlePath: string;
  /** Absolute path of dist/<bundlePath> in the checkout. */
  readonly distDir: string;
  readonly provider: string;
  readonly stack: string;
  /** metadata.yaml versions.kubernetes, e.g. v1.34.7. */
  readonly kubernetes: string;
  readonly clusterClassName: string;
  /** File names inside `dir`. */
  readonly clusterClassChart: string;
  readonly clusterAddonArchive: string;
  /** `<provider>-<stack>-<major>-<minor>`: the Helm release name the operator uses. */
  readonly releaseName: string;
}

export interface ReleaseSet {
  readonly dir: string;
  readonly releases: readonly ReleaseInfo[];
}

export interface E2eContext {
  /** The project checkout. */
  readonly root: string;
  /** The pinned CRDs (crds/ or $CLUSTER_STACK_CRDS). */
  readonly crds: string;
  /** A scratch folder for this run, removed afterwards (unless E2E_KEEP=1). */
  readonly work: string;
  readonly tools: E2eTools;
  /** Releases in stable mode from the version records, addon dependencies not vendored. */
  readonly stable: ReleaseSet;
  /** The same, with every addon dependency vendored into charts/ from the stand-in charts. */
  readonly vendored: ReleaseSet;
  /** Development build: hash mode (`v0-sha.<hash>`). */
  readonly hash: ReleaseSet;
  /**
   * A Helm chart repository on 127.0.0.1 serving index.yaml and one stand-in
   * chart per addon dependency name and version (see stand-in-charts.ts).
   */
  readonly chartRepository: { readonly url: string; readonly dir: string };
}

/** Environment for every helm run: its cache, config and data homes inside the scratch folder. */
export function helmEnv(home: string): Record<string, string> {
  return {
    HELM_CACHE_HOME: `${home}/cache`,
    HELM_CONFIG_HOME: `${home}/config`,
    HELM_DATA_HOME: `${home}/data`,
  };
}
