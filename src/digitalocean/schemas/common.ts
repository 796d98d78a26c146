/**
 * Pieces every DigitalOcean response shares: ids, the `links`/`meta` of a listing, the error
 * body, and the field types the resource schemas are built from.
 *
 * The resource schemas (this folder) describe responses as DO really sends them (see
 * shared/do-api/REFERENCE.md §2–§3 and §6, and DigitalOcean's OpenAPI schemas, which make most
 * fields optional). Every object is loose: unknown fields pass through. Only what the product
 * reads is validated, and only what a row cannot do without is required: the item's key, its
 * name, and for backups and snapshots what they were taken of. Everything else the product
 * reads may be absent or null (stored as null) but must have the right type when present.
 * Fields the product does not read are not checked at all. Ids that DO sends as integers in
 * one endpoint and strings in another come out as strings.
 */
import { z } from 'zod';

/** An id DO sends as an integer or a string; always a string after parsing. */
export const ZDoId = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));

/** `links` as DO sends it: absent, `{}`, `{"pages":{}}` or with pages. Only `next` matters. */
export const ZDoLinks = z
  .looseObject({
    pages: z
      .looseObject({
        next: z.string().nullish(),
        last: z.string().nullish(),
      })
      .nullish(),
  })
  .nullish();

/** `meta` of a listing: `total` is the count of items of every page (godo also knows `page`/`pages`). */
export const ZDoMeta = z.looseObject({ total: z.number().nullish() }).nullish();

/** DO's error body (`shared/models/error.yml`). */
export const ZDoErrorBody = z.looseObject({
  id: z.string(),
  message: z.string().optional(),
  request_id: z.string().nullish(),
});
export type TDoErrorBody = z.infer<typeof ZDoErrorBody>;

/** Region object (droplets, volumes, IPs, load balancers). Use `.slug`. */
export const ZDoRegion = z.looseObject({ slug: z.string(), name: z.string().optional() });
export type TDoRegion = z.infer<typeof ZDoRegion>;

export const ZTags = z.array(z.string()).nullish();
export const ZIdList = z.array(ZDoId).nullish();
export const ZText = z.string().nullish();
export const ZNumber = z.number().nullish();
