/** Managed services: databases, Kubernetes clusters and apps, as DigitalOcean sends them. */
import { z } from 'zod';
import { ZNumber, ZTags, ZText } from './common.js';

/**
 * `/v2/databases`. The listing embeds credentials (`connection.password`, `users[].password`):
 * they are removed here, at the boundary, so that nothing downstream can store or log them.
 */
export const ZDoDatabase = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    engine: ZText,
    status: ZText,
    region: ZText,
    size: ZText,
    num_nodes: z.number().int().nullish(),
    created_at: ZText,
    version: ZText,
    tags: ZTags,
    private_network_uuid: ZText,
    storage_size_mib: ZNumber,
  })
  .transform(
    ({
      connection: _connection,
      private_connection: _private,
      standby_connection: _standby,
      standby_private_connection: _standbyPrivate,
      users: _users,
      ...safe
    }) => safe,
  );
export type TDoDatabase = z.infer<typeof ZDoDatabase>;

/** Nodes are not read (a provisioning node has `droplet_id: ""`), so not checked. */
export const ZDoKubernetesCluster = z.looseObject({
  id: z.string(),
  name: z.string(),
  region: ZText,
  version: ZText,
  status: z.looseObject({ state: ZText }).nullish(),
  created_at: ZText,
  node_pools: z.array(z.looseObject({ name: ZText, size: ZText, count: z.number().int().nullish() })).nullish(),
  vpc_uuid: ZText,
  tags: ZTags,
});
export type TDoKubernetesCluster = z.infer<typeof ZDoKubernetesCluster>;

export const ZDoApp = z.looseObject({
  id: z.string(),
  spec: z.looseObject({ name: z.string() }),
  created_at: ZText,
  // A freshly created app has no deployment yet; OA's example puts `phase` at app level instead.
  active_deployment: z.looseObject({ id: ZText, phase: ZText }).nullish(),
  phase: ZText,
  region: z.looseObject({ slug: ZText }).nullish(),
  tier_slug: ZText,
  live_url: ZText,
});
export type TDoApp = z.infer<typeof ZDoApp>;
