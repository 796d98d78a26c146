import { type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { builtRelation, NOT_BUILT } from '../read/built-relations.js';
import { stablePath } from './stable-paths.js';

/**
 * Wraps every resolver of `schema` (in place) so that, in this order:
 * - a relation that the read path's statement built into its parent row answers from the row
 *   (`src/read/built-relations.ts`), skipping Pothos' per-row planning and lookups;
 * - any other resolver gets a stable `info.path` (`stablePath`), as compiled execution needs.
 *
 * Fields without a resolver (Pothos' exposed columns) are left as they are.
 */
export function wrapResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve as GraphQLFieldResolver<unknown, object> | undefined;
      if (!resolve) continue;
      field.resolve = (parent, args, context, info) => {
        const built = builtRelation(parent, info.fieldName);
        if (built !== NOT_BUILT) return built;
        (info as { path: unknown }).path = stablePath(context, info.path);
        return resolve(parent, args, context, info);
      };
    }
  }
  return schema;
}
