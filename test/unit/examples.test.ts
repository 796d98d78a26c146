import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { exampleFiles } from '../../scripts/examples.js';

describe('examples/', () => {
  it('holds the files the simulated account generates (run npm run examples after changing the simulator)', async () => {
    const files = Object.entries(exampleFiles());
    expect(files.map(([path]) => path)).toEqual(['examples/simulated-invoice-2026-03.csv']);
    for (const [path, text] of files) expect(await readFile(join(PROJECT_ROOT, path), 'utf8')).toBe(text);
  });

  it('is generated the same way every time', () => {
    expect(exampleFiles()).toEqual(exampleFiles());
  });
});
