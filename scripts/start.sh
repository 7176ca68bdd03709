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
# (LD_PRELOAD, MALLOC_*) are kept.
#
# V8's heap (every isolate: the server and its worker threads) is sized for memory rather than for the
# fewest collections: PERPGRAPH_NODE_FLAGS, by default `--heap-growing-percent=30` (after a full collection
# the old generation may grow to 1.3× what survived before the next one, instead of V8's dynamic 1.1–4×:
# an idle 20-symbol server with 116 MB live held 185–400 MB of heap) and `--max-semi-space-size=4` (a young
# generation of ≤ 3 × 4 MB instead of 3 × 16 MB). Measured side by side (bench/support/variants.ts, load
# ≈ 13–20): 3 symbols on tuned glibc 290 → 234 MB RSS (mean; max 333 → 239), 0.050 → 0.067 core; 20 symbols
# on jemalloc 536 → 387 MB (max 740 → 405), 0.145 → 0.182 core (more, smaller collections).
# PERPGRAPH_NODE_FLAGS= (empty) runs node without them.
#
# `sh scripts/start.sh --print-env` prints what it would set and exits (the benches start the server with
# exactly that).
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
# No colon: an empty PERPGRAPH_NODE_FLAGS is kept (the opt-out).
: "${PERPGRAPH_NODE_FLAGS=--heap-growing-percent=30 --max-semi-space-size=4}"
if [ "${1:-}" = "--print-env" ]; then
  for v in $vars PERPGRAPH_NODE_FLAGS; do eval "printf '%s=%s\n' \"$v\" \"\$$v\""; done
  exit 0
fi
# shellcheck disable=SC2086 # the flags are words
exec node $PERPGRAPH_NODE_FLAGS "$(dirname "$0")/start.mjs" "$@"
