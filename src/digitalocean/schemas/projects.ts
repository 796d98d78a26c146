/** Projects and the resources assigned to them, as DigitalOcean sends them. */
import { z } from 'zod';
import { ZText } from './common.js';

export const ZDoProject = z.looseObject({
  id: z.string(),
  name: z.string(),
  is_default: z.boolean().nullish(),
  description: ZText,
  purpose: ZText,
  environment: ZText,
  created_at: ZText,
  updated_at: ZText,
});
export type TDoProject = z.infer<typeof ZDoProject>;

/** A project resource. `urn` is `do:<type>:<id>`; unknown types are kept as they are. */
export const ZDoProjectResource = z.looseObject({
  urn: z.string().regex(/^do:[a-z0-9_]+:.+$/i, 'expected do:<type>:<id>'),
  // godo's tests show "2018-09-27 00:00:00": not ISO, so kept as a string.
  assigned_at: z.string().nullish(),
  links: z.looseObject({ self: z.string().optional() }).nullish(),
  status: z.string().nullish(),
});
export type TDoProjectResource = z.infer<typeof ZDoProjectResource>;
