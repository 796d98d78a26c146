#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# Generation only needs a path to exist; migrations run through `npm run db:migrate`
# (the WebAssembly schema engine), never through this file.
echo "The native Prisma schema engine is not used by this project: run 'npm run db:migrate' or 'npm run db:migration -- <name>'." >&2
exit 1
