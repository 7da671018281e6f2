import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import yaml from 'js-yaml';
import { createTgz } from '../../../lib/bytes/tgz.ts';

/**
 * A Helm chart repository on 127.0.0.1 holding stand-ins for the upstream
 * charts the HelmChartProxies pin (Cilium, metrics-server, the OpenStack CCM
 * and Cinder CSI, …), which cannot be downloaded here. Each has the pinned
 * name and version; its one template writes a ConfigMap
 * `<chart>-mgmt-values` with the chart's name-version and the values it
 * received, so a release on the workload cluster shows which chart version
 * and values CAAPH installed. What they cannot show: whether the upstream
 * charts work with those values.
 */
export interface ChartRef {
  readonly name: string;
  readonly version: string;
}

export const STAND_IN_CONFIGMAP_SUFFIX = '-mgmt-values';

const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Chart.Name }}${STAND_IN_CONFIGMAP_SUFFIX}
  namespace: {{ .Release.Namespace }}
data:
  chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
  values.json: {{ toJson .Values | quote }}
`;

export interface ChartRepository {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveStandInCharts(charts: readonly ChartRef[]): Promise<ChartRepository> {
  const unique = [...new Map(charts.map((c) => [`${c.name}-${c.version}`, c])).values()];
  const files = new Map<string, Buffer>();
  for (const c of unique) {
    files.set(
      `${c.name}-${c.version}.tgz`,
      createTgz([
        { path: `${c.name}/Chart.yaml`, content: yaml.dump({ apiVersion: 'v2', name: c.name, version: c.version, description: `mgmt test stand-in for ${c.name} ${c.version}` }) },
        { path: `${c.name}/templates/values-configmap.yaml`, content: TEMPLATE },
      ]),
    );
  }
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const body = name === 'index.yaml' ? Buffer.from(index) : files.get(name);
    if (req.method !== 'GET' || body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': name.endsWith('.yaml') ? 'application/x-yaml' : 'application/gzip' }).end(body);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the chart repository has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  const entries: Record<string, unknown[]> = {};
  for (const c of unique) {
    const file = `${c.name}-${c.version}.tgz`;
    const digest = createHash('sha256').update(files.get(file) as Buffer).digest('hex');
    (entries[c.name] ??= []).push({ apiVersion: 'v2', name: c.name, version: c.version, urls: [`${url}/${file}`], digest, created: '2025-01-01T00:00:00Z' });
  }
  const index = yaml.dump({ apiVersion: 'v1', entries, generated: '2025-01-01T00:00:00Z' });
  return {
    url,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
