import { ZDoCdnEndpoint, type TDoCdnEndpoint } from '../../digitalocean/schemas/networking.js';
import { parseDoDate, type KindSpec } from './types.js';

export const cdnEndpointKind: KindSpec<TDoCdnEndpoint> = {
  kind: 'cdn_endpoint',
  worker: 'CDN_ENDPOINTS',
  listings: [{ path: '/v2/cdn/endpoints', envelope: 'endpoints', item: ZDoCdnEndpoint }],
  normalize: (e) => ({
    providerId: e.id,
    name: e.endpoint,
    status: null,
    region: null,
    providerCreatedAt: parseDoDate(e.created_at),
    attrs: { origin: e.origin ?? null, ttl: e.ttl ?? null, custom_domain: e.custom_domain ?? null, certificate_id: e.certificate_id ?? null },
  }),
};
