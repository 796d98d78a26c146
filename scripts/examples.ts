// npm run examples — writes examples/: files generated from the simulated DigitalOcean account
// (seed 1, the account `npm start` serves without a token), so the README's worked example
// uses lines that match that account. A test fails when a committed file is out of date.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../src/paths.js';
import { createSimulator } from '../src/simulator/index.js';
import { invoiceCsv } from '../src/simulator/invoices.js';

/** The simulated account's seed: the one `npm start` serves. */
export const EXAMPLE_SEED = 1;

/** The example files by path under the project root: the last closed month's invoice CSV. */
export function exampleFiles(): Record<string, string> {
  // Generated at construction; nothing listens, so nothing needs stopping.
  const sim = createSimulator({ seed: EXAMPLE_SEED });
  const closed = sim.invoices().filter((i) => !i.preview);
  const last = closed.reduce((a, b) => (b.period > a.period ? b : a));
  return { [`examples/simulated-invoice-${last.period}.csv`]: invoiceCsv(last) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await mkdir(join(PROJECT_ROOT, 'examples'), { recursive: true });
  for (const [path, text] of Object.entries(exampleFiles())) {
    await writeFile(join(PROJECT_ROOT, path), text);
    console.log(`wrote ${path}`);
  }
}
