import type { RegistryEvent } from './client.ts';

/** Human-readable byte count: 512 B, 4.2 kB, 1.3 MB (SI units, as registries and docker print). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A one-line progress display for publishing several releases: which
 * release, blobs done and bytes sent, redrawn in place (`\r`) at most every
 * 100 ms. Only for a terminal: the caller decides (not in CI, not with
 * --quiet); when disabled every method does nothing.
 */
export class TransferProgress {
  private totalBlobs = 0;
  private totalBytes = 0;
  private doneBlobs = 0;
  private doneBytes = 0;
  /** Bytes of chunked uploads in flight, by digest. */
  private readonly partial = new Map<string, number>();
  private label = '';
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly write: (s: string) => void, private readonly enabled: boolean) {}

  /** Adds work to the totals. */
  public plan(blobs: number, bytes: number): void {
    this.totalBlobs += blobs;
    this.totalBytes += bytes;
  }

  public step(label: string): void {
    this.label = label;
    this.draw(true);
  }

  public onEvent(event: RegistryEvent): void {
    switch (event.kind) {
      case 'blob-exists':
      case 'blob-mounted':
      case 'blob-uploaded':
        this.partial.delete(event.digest);
        this.doneBlobs++;
        this.doneBytes += event.size;
        break;
      case 'blob-progress':
        this.partial.set(event.digest, event.sent);
        break;
      default:
        return;
    }
    this.draw(false);
  }

  /** Ends the line. */
  public finish(): void {
    if (!this.enabled || !this.drawn) return;
    this.draw(true);
    this.write('\n');
    this.drawn = false;
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const inFlight = [...this.partial.values()].reduce((a, b) => a + b, 0);
    const blobs = `${Math.min(this.doneBlobs, this.totalBlobs)}/${this.totalBlobs} blobs`;
    const bytes = `${formatBytes(Math.min(this.doneBytes + inFlight, this.totalBytes))}/${formatBytes(this.totalBytes)}`;
    this.write(`\r\x1b[K${this.label}  ${blobs}, ${bytes}`);
    this.drawn = true;
  }
}
