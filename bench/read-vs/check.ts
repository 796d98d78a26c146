// Before any load: every side answers the page with 100 resources, the same names in the same
// order, and the same bytes twice (the load counts any other body as an error).
import type { Side } from './side.js';

async function page(side: Side): Promise<string> {
  const res = await fetch(side.url, { method: 'POST', headers: side.headers, body: side.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${side.label}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  if ((JSON.parse(text) as { errors?: unknown }).errors) throw new Error(`${side.label}: GraphQL errors: ${text.slice(0, 500)}`);
  return text;
}

/** The checked page of each side, by side name; throws, describing the difference, if the sides disagree. */
export async function checkSamePage(sides: Side[]): Promise<Map<Side['name'], string>> {
  const bodies = new Map<Side['name'], string>();
  let reference: { side: Side; names: string[] } | undefined;
  for (const side of sides) {
    const body = await page(side);
    if ((await page(side)) !== body) throw new Error(`${side.label}: two requests for the same page answered different bodies`);
    const names = side.names(JSON.parse(body));
    if (names.length !== 100) throw new Error(`${side.label}: ${names.length} resources on the page, expected 100`);
    if (reference) {
      const at = names.findIndex((n, i) => n !== reference!.names[i]);
      if (at >= 0) {
        throw new Error(
          `the pages differ: resource ${at + 1} is "${names[at]}" on ${side.label} but "${reference.names[at]}" on ${reference.side.label}\n` +
            `  ${side.label}: ${names.slice(0, 5).join(', ')} …\n  ${reference.side.label}: ${reference.names.slice(0, 5).join(', ')} …`,
        );
      }
    } else {
      reference = { side, names };
    }
    bodies.set(side.name, body);
  }
  console.log(`same page on every side: 100 resources, ${reference!.names[0]} … ${reference!.names[99]}`);
  return bodies;
}
