#!/bin/sh
# The container image's build steps, in one place: the Dockerfile runs them, and
# test/integration/container.test.ts runs them the same way in clean temporary directories
# (no container engine is needed for that).
#
#   container-build.sh build                 in a copy of the sources: install every dependency
#                                            from the lockfile (that generates the Prisma client
#                                            under src/generated), compile to dist/ (npm run build)
#   container-build.sh deps                  where package.json and package-lock.json are: install
#                                            the production dependencies only, from the lockfile,
#                                            running no install scripts
#   container-build.sh assemble BUILD DEPS   in the (empty) runtime directory: take dist/, prisma/
#                                            (the schema and migrations applied at start) and the
#                                            health check from BUILD, node_modules/ from DEPS
set -eu

npm_ci() {
  npm ci --no-audit --no-fund --loglevel=warn "$@"
}

case "${1:-}" in
  build)
    npm_ci
    # Emits without type checking (TypeScript's --noCheck): the JavaScript is the same, since
    # every file compiles on its own (isolatedModules), and type checking is CI's (`npm test`).
    npm run build -- --noCheck
    ;;
  deps)
    # --omit=optional as well: the Prisma CLI and TypeScript are development dependencies, but
    # npm keeps them in a production install as @prisma/client's optional peers otherwise.
    npm_ci --omit=dev --omit=optional --ignore-scripts
    ;;
  assemble)
    build="${2:?usage: container-build.sh assemble BUILD DEPS}"
    deps="${3:?usage: container-build.sh assemble BUILD DEPS}"
    test -f "$build/dist/main.js" || { echo "container-build.sh: $build/dist/main.js missing (run the build step first)" >&2; exit 1; }
    mkdir -p scripts
    cp -R "$build/package.json" "$build/package-lock.json" "$build/dist" "$build/prisma" .
    cp "$build/scripts/container-healthcheck.mjs" scripts/
    cp -R "$deps/node_modules" .
    ;;
  *)
    echo "usage: container-build.sh build | deps | assemble BUILD DEPS" >&2
    exit 2
    ;;
esac
