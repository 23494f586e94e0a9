#!/usr/bin/env bash
# Runs the checkpoint fuzzer for a bounded time (default 60 s) from the seed
# corpus; exits non-zero on any crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/fuzz/tests/fuzz/checkpoint_fuzzer -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 \
  -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" "$work" tests/fuzz/corpus
