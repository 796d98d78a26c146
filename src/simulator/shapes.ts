/**
 * What the simulator serves, typed from the response schemas of `src/digitalocean`: each item
 * is the schema's input type (what DO may send, unknown fields allowed), narrowed to what the
 * simulator always sends (e.g. droplet ids are integers, a generated droplet has a region).
 */
import type { z } from 'zod';
import type { ZDoRegion } from '../digitalocean/schemas/common.js';
import type { ZDoDroplet, ZDoImage, ZDoSnapshot, ZDoVolume } from '../digitalocean/schemas/compute.js';
import type { ZDoInvoiceSummary } from '../digitalocean/schemas/invoices.js';
import type { ZDoApp, ZDoDatabase, ZDoKubernetesCluster } from '../digitalocean/schemas/managed.js';
import type { ZDoCdnEndpoint, ZDoDomain, ZDoFirewall, ZDoLoadBalancer, ZDoReservedIp, ZDoVpc } from '../digitalocean/schemas/networking.js';
import type { ZDoProject, ZDoProjectResource } from '../digitalocean/schemas/projects.js';

export type TSimRegion = z.input<typeof ZDoRegion> & { name: string; features: string[]; available: boolean; sizes: string[] };

export type TSimDroplet = z.input<typeof ZDoDroplet> & {
  id: number;
  name: string;
  status: string;
  disk: number;
  region: TSimRegion;
  size_slug: string;
  size: { slug: string; price_monthly: number; [key: string]: unknown };
  tags: string[];
  features: string[];
  backup_ids: number[];
  snapshot_ids: number[];
  volume_ids: string[];
};

/** A private image: a droplet backup or snapshot as the image endpoints show it (integer id). */
export type TSimImage = z.input<typeof ZDoImage> & { id: number };

export type TSimSnapshot = z.input<typeof ZDoSnapshot> & {
  id: string;
  resource_id: string;
  regions: string[];
  created_at: string;
  min_disk_size: number;
  size_gigabytes: number;
};

export type TSimVolume = z.input<typeof ZDoVolume> & {
  region: TSimRegion;
  size_gigabytes: number;
  droplet_ids: number[];
};

export type TSimDomain = z.input<typeof ZDoDomain>;
export type TSimReservedIp = z.input<typeof ZDoReservedIp> & { droplet?: TSimDroplet | null; project_id: string | null };
export type TSimFirewall = z.input<typeof ZDoFirewall> & { id: string };
export type TSimLoadBalancer = z.input<typeof ZDoLoadBalancer>;
export type TSimDatabase = z.input<typeof ZDoDatabase> & { size: string; num_nodes: number; project_id: string | null };
export type TSimKubernetesCluster = z.input<typeof ZDoKubernetesCluster>;
export type TSimApp = z.input<typeof ZDoApp> & { tier_slug: string };
export type TSimCdnEndpoint = z.input<typeof ZDoCdnEndpoint>;
export type TSimVpc = z.input<typeof ZDoVpc>;
export type TSimProject = z.input<typeof ZDoProject>;
export type TSimProjectResource = z.input<typeof ZDoProjectResource>;
export type TSimInvoiceSummary = z.input<typeof ZDoInvoiceSummary>;

/** Spaces buckets are not in DO's API: they are known from project memberships only. */
export type TSimBucket = { name: string; region: string; [key: string]: unknown };

/** Any item the simulator serves (what `script.create` returns). */
export type TSimAnyItem =
  | TSimDroplet
  | TSimImage
  | TSimSnapshot
  | TSimVolume
  | TSimDomain
  | TSimReservedIp
  | TSimFirewall
  | TSimLoadBalancer
  | TSimDatabase
  | TSimKubernetesCluster
  | TSimApp
  | TSimCdnEndpoint
  | TSimVpc
  | TSimProject
  | TSimBucket;

/** Fields that override a generated item's (`script.create`), as given in process or over HTTP. */
export type TSimPartial = { [key: string]: unknown };
