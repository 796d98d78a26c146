// Words the schema's descriptions share: page sizes and the request limits, each with its
// default and the setting that changes it, so the descriptions cannot drift from the code.
import { DEFAULT_QUERY_LIMITS } from '../config.js';
import { DEFAULT_LIST_SIZE } from './cost.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-size.js';

const L = DEFAULT_QUERY_LIMITS;

/** The limit on a string argument, for a description: `at most 1000 characters (QUERY_MAX_STRING_LENGTH)`. */
export const STRING_LIMIT = `at most ${L.maxStringLength} characters by default (QUERY_MAX_STRING_LENGTH)`;

/** The limit on a list argument, for a description. */
export const LIST_LIMIT = `at most ${L.maxListItems} items by default (QUERY_MAX_LIST_ITEMS)`;

/** Descriptions of the Relay connection arguments and fields. */
export const PAGE_DOCS = {
  first: `Page size counted from the start (or from \`after\`): 0 to ${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when neither first nor last is given. More than ${MAX_PAGE_SIZE} is BAD_USER_INPUT, never silently clamped.`,
  last: `Page size counted from the end (or from \`before\`): 0 to ${MAX_PAGE_SIZE}. More than ${MAX_PAGE_SIZE} is BAD_USER_INPUT.`,
  after: 'Opaque cursor of an edge: the page starts after it (forward paging with first).',
  before: 'Opaque cursor of an edge: the page ends before it (backward paging with last).',
  edges: 'The items of this page with their cursors, in the list order.',
  pageInfo: 'Where this page sits in the whole list: cursors of its ends and whether more pages follow.',
  totalCount: 'Items in the whole list (every page), with the same filter and scope.',
  cursor: 'Opaque cursor of this item: pass it as after or before to page from here.',
  node: 'The item.',
  connection: (item: string) =>
    `One page of ${item} items (a Relay cursor connection, ${DEFAULT_PAGE_SIZE} per page unless first/last asks for up to ${MAX_PAGE_SIZE}).`,
  edge: (item: string) => `A ${item} on a page, with its cursor.`,
} as const;

/**
 * The request limits, for the Query type's description: each with its default and its setting
 * (src/config.ts `queryLimits`).
 */
export const LIMITS_DOC =
  `Every request is checked against limits before anything runs; a document over one is refused with QUERY_TOO_COMPLEX, an argument over one with BAD_USER_INPUT. ` +
  `Defaults (each an environment setting): selection depth ${L.maxDepth} (QUERY_MAX_DEPTH), ` +
  `cost ${L.maxCost} (QUERY_MAX_COST: every field costs 1, a connection multiplies its selection by first/last, default ${DEFAULT_PAGE_SIZE}, other lists by ${DEFAULT_LIST_SIZE}), ` +
  `aliases ${L.maxAliases} (QUERY_MAX_ALIASES), directives ${L.maxDirectives} (QUERY_MAX_DIRECTIVES), tokens ${L.maxTokens} (QUERY_MAX_TOKENS), ` +
  `${L.maxStringLength} characters per string argument (QUERY_MAX_STRING_LENGTH), ${L.maxListItems} items per list argument (QUERY_MAX_LIST_ITEMS); ` +
  `pages hold ${DEFAULT_PAGE_SIZE} items unless first/last asks for up to ${MAX_PAGE_SIZE}.`;
