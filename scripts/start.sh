#!/bin/sh
# `npm start`: picks the memory allocator, then execs `node scripts/start.mjs` (build when stale, run
# dist/main.js) in this same process.
#
# Why: glibc's malloc keeps what the server's many short-lived native buffers (PGlite's query messages,
# brotli, sockets) fragment. Measured with bench/memory-soak.ts and bench/idle.ts: an idle 20-symbol server
# grew from ~500 MB to 1.3 GB RSS in 12 minutes under glibc (its main heap alone 39 → 543 MB) and stayed at
# ~320 MB under jemalloc. So:
#   - jemalloc, when the library is installed (Debian/Ubuntu: `apt-get install libjemalloc2`), is preloaded;
#   - otherwise glibc is tuned: allocations from 128 KB up are mmap'ed and returned on free (glibc's
#     default threshold climbs to 32 MB after the first large free, after which the 3-symbol server kept
#     ~90 MB more).
# PERPGRAPH_ALLOCATOR=glibc keeps glibc (tuned), =system leaves the environment alone. Variables already set
# (LD_PRELOAD, MALLOC_*) are kept. `sh scripts/start.sh --print-env` prints what it would set and exits
# (the benches start the server with exactly that).
set -e
choice="${PERPGRAPH_ALLOCATOR:-auto}"
jemalloc=""
if [ "$choice" = "auto" ] || [ "$choice" = "jemalloc" ]; then
  for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 \
    /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2; do
    if [ -r "$lib" ]; then jemalloc="$lib"; break; fi
  done
fi
vars=""
if [ -n "$jemalloc" ] && [ -z "${LD_PRELOAD:-}" ]; then
  LD_PRELOAD="$jemalloc"; export LD_PRELOAD; vars="LD_PRELOAD"
elif [ "$choice" != "system" ]; then
  : "${MALLOC_MMAP_THRESHOLD_:=131072}"
  export MALLOC_MMAP_THRESHOLD_; vars="MALLOC_MMAP_THRESHOLD_"
fi
if [ "${1:-}" = "--print-env" ]; then
  for v in $vars; do eval "printf '%s=%s\n' \"$v\" \"\$$v\""; done
  exit 0
fi
exec node "$(dirname "$0")/start.mjs" "$@"
