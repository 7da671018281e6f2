import { HELM_CHART_PROXIES_FILE } from '../../../constructs/helm-chart-proxy.ts';
import { KUSTOMIZATION_FILE } from './kustomization.ts';

/** Bundle files for consumers without the Cluster Stack Operator (rendered in lib/bytes/render.ts). */
export const GitopsFiles = {
  helmChartProxies: HELM_CHART_PROXIES_FILE,
  kustomization: KUSTOMIZATION_FILE,
} as const;
