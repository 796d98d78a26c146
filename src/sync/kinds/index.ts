import type { SyncWorkerName } from '../../domain/workers.js';
import { appKind } from './app.js';
import { cdnEndpointKind } from './cdn-endpoint.js';
import { dnsZoneKind } from './dns-zone.js';
import { dropletBackupKind } from './droplet-backup.js';
import { dropletKind } from './droplet.js';
import { firewallKind } from './firewall.js';
import { floatingIpKind } from './floating-ip.js';
import { k8sClusterKind } from './k8s-cluster.js';
import { loadBalancerKind } from './load-balancer.js';
import { managedDbKind } from './managed-db.js';
import { snapshotKind } from './snapshot.js';
import { volumeKind } from './volume.js';
import { vpcKind } from './vpc.js';
import type { KindSpec } from './types.js';

/** Every kind with a dedicated worker. spaces_bucket has none: it comes from project URNs. */
export const KIND_SPECS: readonly KindSpec[] = [
  dropletKind,
  dropletBackupKind,
  snapshotKind,
  volumeKind,
  dnsZoneKind,
  floatingIpKind,
  firewallKind,
  loadBalancerKind,
  managedDbKind,
  k8sClusterKind,
  appKind,
  cdnEndpointKind,
  vpcKind,
];

export function kindSpecOf(worker: SyncWorkerName): KindSpec | undefined {
  return KIND_SPECS.find((s) => s.worker === worker);
}
