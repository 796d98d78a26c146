/**
 * `text` with LIKE's wildcards (`%`, `_`) and its escape character (`\`) escaped, so that a
 * search for "under_score" finds that substring and not "underXscore". PostgreSQL's default
 * escape character is the backslash, for Prisma's `contains` as for hand-written ILIKE.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
