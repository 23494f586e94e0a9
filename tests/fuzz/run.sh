#!/usr/bin/env bash
# Runs the checkpoint fuzzer, then the GraphDef fuzzer, then the IDX fuzzer,
# each for a bounded time (default 60 s) from its seed corpus; exits non-zero
# on any crash, leak or sanitizer report. Checkpoint inputs go up to 1 MiB
# (deeply nested headers need room), with a dictionary of the header's
# tokens. FUZZER overrides the checkpoint fuzzer's binary (default: the fuzz
# preset's), GRAPH_DEF_FUZZER and IDX_FUZZER the others'.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
fuzzer=${FUZZER:-build/fuzz/tests/fuzz/checkpoint_fuzzer}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/checkpoint" "$work/graph_def" "$work/idx"
"$fuzzer" -max_total_time="$seconds" -max_len=1048576 -dict=tests/fuzz/safetensors.dict \
  -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" \
  "$work/checkpoint" tests/fuzz/corpus
"${GRAPH_DEF_FUZZER:-build/fuzz/tests/fuzz/graph_def_fuzzer}" -max_total_time="$seconds" -max_len=65536 \
  -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" \
  "$work/graph_def" tests/fuzz/graph_def_corpus
"${IDX_FUZZER:-build/fuzz/tests/fuzz/idx_fuzzer}" -max_total_time="$seconds" -max_len=262144 \
  -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" \
  "$work/idx" tests/fuzz/idx_corpus
