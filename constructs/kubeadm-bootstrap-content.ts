import { Construct } from 'constructs';
import { assertFileEntries, renderFiles, type KubeadmFile, type KubeadmFileEntry } from './kubeadm-files.ts';

/**
 * What the control plane and worker bootstrap templates both collect from
 * several features before rendering: files, commands around kubeadm and the
 * directory of kubeadm patch files.
 */
export abstract class KubeadmBootstrapContent extends Construct {
  private readonly files: KubeadmFile[] = [];
  private readonly preCommands: string[] = [];
  private readonly postCommands: string[] = [];
  /** The kubeadm patches directory, once set. */
  protected patchesDirectory: string | undefined;

  /** Makes kubeadm apply the patch files in `directory` (e.g. a KubeletConfiguration patch) on init and join. */
  public setKubeadmPatchesDirectory(directory: string): void {
    this.patchesDirectory = directory;
  }

  public addFiles(...files: KubeadmFile[]): void {
    this.files.push(...files);
  }

  public addPreKubeadmCommands(...commands: string[]): void {
    this.preCommands.push(...commands);
  }

  public addPostKubeadmCommands(...commands: string[]): void {
    this.postCommands.push(...commands);
  }

  /**
   * The files, commands of the template's own spec followed by the added
   * ones; all files together must satisfy the same rules (unique absolute
   * paths, permissions, size, one of content or secret).
   */
  protected renderBootstrapContent(base: { readonly files?: readonly KubeadmFileEntry[]; readonly preKubeadmCommands?: readonly string[]; readonly postKubeadmCommands?: readonly string[] }) {
    assertFileEntries([...(base.files ?? []), ...this.files.map((f) => ({ path: f.path, content: f.content ?? '', permissions: f.permissions ?? '0644' }))], this.node.path);
    return {
      files: renderFiles(this.files, this.node.path),
      preKubeadmCommands: [...(base.preKubeadmCommands ?? []), ...this.preCommands],
      postKubeadmCommands: [...(base.postKubeadmCommands ?? []), ...this.postCommands],
    };
  }
}
