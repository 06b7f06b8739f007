#!/bin/sh
# Stands in for `claude` in the benchmark: streams a prepared stream-json file.
exec cat "$BENCH_STREAM_FILE"
