// `npm run api-key -- create|list|revoke ...`: the keys commands of the CLI (src/cli), kept
// under their older name. Exit codes: 0 done, 1 failed (server unreachable or key refused included), 2 usage error.
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), process.env, true);
