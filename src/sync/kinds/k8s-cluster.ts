import { ZDoKubernetesCluster, type TDoKubernetesCluster } from '../../digitalocean/schemas/managed.js';
import { lower, parseDoDate, type KindSpec } from './types.js';

export const k8sClusterKind: KindSpec<TDoKubernetesCluster> = {
  kind: 'k8s_cluster',
  worker: 'KUBERNETES',
  listings: [{ path: '/v2/kubernetes/clusters', envelope: 'kubernetes_clusters', item: ZDoKubernetesCluster }],
  normalize: (c) => ({
    providerId: c.id,
    name: c.name,
    status: lower(c.status?.state),
    region: c.region ?? null,
    providerCreatedAt: parseDoDate(c.created_at),
    attrs: {
      version: c.version ?? null,
      node_pools: (c.node_pools ?? []).map((p) => ({ name: p.name ?? null, size: p.size ?? null, count: p.count ?? null })),
      vpc_uuid: c.vpc_uuid ?? null,
      tags: c.tags ?? [],
    },
  }),
};
