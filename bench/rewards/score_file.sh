#!/usr/bin/env bash
# `verdict score` on a generated 100k-completion file: the default spec (baseline) and the full
# reward suite (language, overlong, repetition, Kimi length, pass@k, maj@k) in the same run,
# with samples/s, the ratio, and peak memory.
#   bench/rewards/score_file.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build/release}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$(dirname "$0")/gen_rollouts.py" "$dir/in.jsonl" --groups 6250 --group-size 16
run() {  # name, flags...
  local name=$1; shift
  /usr/bin/time -f "%M" -o "$dir/mem" "$build/cli/verdict" score --input "$dir/in.jsonl" \
    --output "$dir/out.jsonl" "$@" 2> "$dir/$name.txt"
  local rate; rate=$(sed -n 's/.*(\([0-9]*\) samples\/s).*/\1/p' "$dir/$name.txt")
  echo "$name $rate $(cat "$dir/mem")"
}
base=$(run default)
full=$(run full --language en --overlong 300,100 --repetition 3,-0.5 --kimi-length \
  --pass-at-k 1,4,16 --majority-vote)
echo "== summary of the full run"; cat "$dir/full.txt"
printf '\n%-10s %12s %10s %12s\n' spec samples/s vs-default peak-RSS-MB
read -r _ b bm <<< "$base"; read -r _ f fm <<< "$full"
printf '%-10s %12s %10s %12s\n' default "$b" 1.00 $((bm / 1024))
printf '%-10s %12s %10.2f %12s\n' full "$f" "$(echo "$f / $b" | bc -l)" $((fm / 1024))
