#!/bin/sh
# Stands in for `claude` when timing start-up: notes when it was started, prints nothing.
date +%s%N > "$BENCH_SPAWN_FILE"
