/** A control plane component whose flags kubeadm takes as `extraArgs`. */
export type ExtraArgComponent = 'apiServer' | 'controllerManager' | 'scheduler' | 'etcd';

const SEGMENTS: Record<ExtraArgComponent, readonly string[]> = {
  apiServer: ['apiServer', 'extraArgs'],
  controllerManager: ['controllerManager', 'extraArgs'],
  scheduler: ['scheduler', 'extraArgs'],
  etcd: ['etcd', 'local', 'extraArgs'],
};

/**
 * Extra args collected from several features. A flag set twice to different
 * values is a conflict between features, so it is refused rather than
 * silently overwritten.
 */
export class ExtraArgs {
  /** Path segments below clusterConfiguration. */
  public static segments(component: ExtraArgComponent): readonly string[] {
    return SEGMENTS[component];
  }

  private readonly args = new Map<ExtraArgComponent, Map<string, string>>();

  public add(component: ExtraArgComponent, args: Readonly<Record<string, string>>, where: string): void {
    const current = this.args.get(component) ?? new Map<string, string>();
    for (const [k, v] of Object.entries(args)) {
      const existing = current.get(k);
      if (existing !== undefined && existing !== v) {
        throw new Error(`${where}: ${component} extra arg '${k}' is set to '${existing}' and to '${v}'`);
      }
      current.set(k, v);
    }
    this.args.set(component, current);
  }

  /** The component's args merged over `own` (from props); conflicts are errors. */
  public merged(component: ExtraArgComponent, own: Readonly<Record<string, string>> | undefined, where: string): Record<string, string> {
    const out: Record<string, string> = { ...own };
    for (const [k, v] of this.args.get(component) ?? []) {
      if (out[k] !== undefined && out[k] !== v) throw new Error(`${where}: ${component} extra arg '${k}' is set to '${out[k]}' and to '${v}'`);
      out[k] = v;
    }
    return out;
  }
}
