import { ZDoApp, type TDoApp } from '../../digitalocean/schemas/managed.js';
import { lower, parseDoDate, type KindSpec } from './types.js';

/** App Platform apps; status is the active deployment's phase. */
export const appKind: KindSpec<TDoApp> = {
  kind: 'app',
  worker: 'APPS',
  listings: [{ path: '/v2/apps', envelope: 'apps', item: ZDoApp }],
  normalize: (a) => ({
    providerId: a.id,
    name: a.spec.name,
    status: lower(a.active_deployment?.phase ?? a.phase ?? null),
    region: a.region?.slug ?? null,
    providerCreatedAt: parseDoDate(a.created_at),
    attrs: {
      tier_slug: a.tier_slug ?? null,
      live_url: a.live_url ?? null,
      active_deployment_id: a.active_deployment?.id ?? null,
    },
  }),
};
