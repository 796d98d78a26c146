import { ZDoKubernetesCluster, type TDoKubernetesCluster } from '../do-schemas.js';
import { lower, parseDoDate, type KindSpec } from './types.js';

export const k8sClusterKind: KindSpec<TDoKubernetesCluster> = {
  kind: 'k8s_cluster',
  worker: 'KUBERNETES',
  listings: [{ path: '/v2/kubernetes/clusters', envelope: 'kubernetes_clusters', item: ZDoKubernetesCluster }],
  normalize: (c) => ({
    providerId: c.id,
    name: c.name,
    status: lower(c.status.state),
    region: c.region,
    providerCreatedAt: parseDoDate(c.created_at),
    attrs: {
      version: c.version,
      node_pools: c.node_pools.map((p) => ({ name: p.name, size: p.size, count: p.count })),
      vpc_uuid: c.vpc_uuid ?? null,
      tags: c.tags ?? [],
    },
  }),
};
