// One server under load: how to reach it and how to read the resource names out of its page.
import type { Child } from './children.js';
import type { SideName } from './options.js';

export type Side = {
  name: SideName;
  /** What the report calls it (with its version). */
  label: string;
  child: Child;
  /** The `node` binary it runs on. */
  node: string;
  /** Where the load POSTs `body`. */
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The resource names of a page, in order. */
  names(json: unknown): string[];
};
