/**
 * A fragment fan-out: every fragment spreads the next one twice, so a walker that expands
 * fragments at each spread does 2^levels work for a document of a few hundred bytes.
 */
export function fragmentBomb(levels = 20): string {
  const parts = ['query Bomb { ...F0 }'];
  for (let i = 0; i < levels; i++) parts.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  parts.push(`fragment F${levels} on Query { __typename }`);
  return parts.join('\n');
}
