import type { GraphQLError } from 'graphql';
import { apiError } from './domain/error-codes.js';
import type { Plugin } from 'graphql-yoga';

/** The largest request body accepted, in bytes (graphql-yoga's default limit). */
export const MAX_REQUEST_BODY_BYTES = 25_000_000;

const CONTENT_LENGTH = /^\d+$/;

function tooLarge(): GraphQLError {
  return apiError('REQUEST_ENTITY_TOO_LARGE', 'Request body too large', { extensions: { http: { status: 413 } } });
}

/**
 * graphql-yoga's request body limit, without its cost on every request: yoga pipes each body
 * through a TransformStream to count its bytes (a fifth of a resources page's CPU). A body
 * with a valid Content-Length is refused or accepted on that header alone, since Node's HTTP
 * parser never delivers more bytes than it declares; only a body without one (chunked) is
 * counted while it is read, and refused as soon as it passes the limit. An invalid
 * Content-Length is a 400, as in yoga. Passed to yoga with its own limit turned off.
 */
export function requestBodyLimitPlugin(limit = MAX_REQUEST_BODY_BYTES): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (!CONTENT_LENGTH.test(declared)) {
          throw apiError('BAD_REQUEST', 'Content-Length header is invalid.', { extensions: { http: { status: 400 } } });
        }
        if (Number(declared) > limit) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser(async (req) => {
        const chunks: Uint8Array[] = [];
        let size = 0;
        const reader = (req.body as ReadableStream<Uint8Array>).getReader();
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          size += read.value.byteLength;
          if (size > limit) {
            void reader.cancel().catch(() => {});
            throw tooLarge();
          }
          chunks.push(read.value);
        }
        return parse(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body: Buffer.concat(chunks) }));
      });
    },
  };
}
