import { type FragmentDefinitionNode, type GraphQLObjectType, Kind, type SelectionSetNode } from 'graphql';

/** What the selections on one model's type read: its columns, and the selections of the relations the caller builds. */
export type Reads = { columns: Set<string>; relations: Map<string, SelectionSetNode[]> };

/** Fields whose resolver reads columns of its row declare them: `extensions: { columns: [...] }`. */
export type ColumnsExtension = { columns?: readonly string[] };

/**
 * The columns that the fields selected on `type` read: an exposed field (Pothos'
 * `pothosExposedField`) its own column, `id` the id, a field declaring `extensions.columns`
 * those. The fields named in `relations` are the caller's to build: their selections are
 * returned. Null when any other field is selected: its needs are unknown, so the caller reads
 * every column. Fragments on other types are skipped; `@skip`/`@include` are ignored, which
 * can only read more.
 */
export function readsOf(
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  relations: readonly string[],
): Reads | null {
  const reads: Reads = { columns: new Set(['id']), relations: new Map() };
  const fields = type.getFields();
  const visit = (set: SelectionSetNode): boolean => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename' || name === 'id') continue;
        const field = fields[name];
        if (!field) return false;
        if (relations.includes(name)) {
          if (selection.selectionSet) reads.relations.set(name, [...(reads.relations.get(name) ?? []), selection.selectionSet]);
          continue;
        }
        const exposed = field.extensions?.pothosExposedField;
        const declared = (field.extensions as ColumnsExtension | undefined)?.columns;
        if (typeof exposed === 'string') reads.columns.add(exposed);
        else if (declared) for (const column of declared) reads.columns.add(column);
        else return false;
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (!fragment) return false;
        const on = fragment.typeCondition?.name.value;
        if (on && on !== type.name && !type.getInterfaces().some((i) => i.name === on)) continue;
        if (!visit(fragment.selectionSet)) return false;
      }
    }
    return true;
  };
  return selectionSets.every(visit) ? reads : null;
}

/** The selections of the fields named `name` in `selectionSets` (every alias, through fragments). */
export function selectionsOf(
  selectionSets: readonly SelectionSetNode[],
  name: string,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
): SelectionSetNode[] {
  const found: SelectionSetNode[] = [];
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name && selection.selectionSet) found.push(selection.selectionSet);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  for (const set of selectionSets) visit(set);
  return found;
}
