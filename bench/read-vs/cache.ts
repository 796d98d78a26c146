// bench/.cache/ (git-ignored): the Node 22 binary and the PostGraphile install, kept between runs.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

export const CACHE_DIR = join(PROJECT_ROOT, 'bench', '.cache');
