// The load generator, a process of its own (so its work is not the measured servers'): receives one
// LoadRequest over IPC, runs autocannon, answers with a LoadResult and exits.
import autocannon from 'autocannon';
import type { LoadRequest, LoadResult } from './load.js';

process.once('message', (request: LoadRequest) => {
  autocannon(
    {
      url: request.url,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      connections: request.connections,
      duration: request.seconds,
      expectBody: request.expectBody,
      timeout: 30,
    },
    (error, result) => {
      if (error) throw error;
      const answer: LoadResult = {
        ok: result['2xx'] - result.mismatches,
        seconds: result.duration,
        reqPerSec: (result['2xx'] - result.mismatches) / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        mismatches: result.mismatches,
      };
      process.send!(answer, () => process.exit(0));
    },
  );
});
