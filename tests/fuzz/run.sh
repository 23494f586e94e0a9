#!/usr/bin/env bash
# Runs the checkpoint fuzzer for a bounded time (default 60 s) from the seed
# corpus; exits non-zero on any crash, leak or sanitizer report. Inputs go up
# to 1 MiB (deeply nested headers need room), with a dictionary of the
# header's tokens. FUZZER overrides the binary (default: the fuzz preset's).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
fuzzer=${FUZZER:-build/fuzz/tests/fuzz/checkpoint_fuzzer}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$fuzzer" -max_total_time="$seconds" -max_len=1048576 -dict=tests/fuzz/safetensors.dict \
  -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" \
  "$work" tests/fuzz/corpus
