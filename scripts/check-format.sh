#!/usr/bin/env bash
# Checks that C++ sources match .clang-format (STYLE.md rule 12) and prints the files that do not.
#   scripts/check-format.sh            every tracked C++ and CUDA source (what CI checks)
#   scripts/check-format.sh PATH...    those files, and the C++ sources under those folders
# Exit status 1 when any file would change. Fix one with `clang-format -i FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# = 0 ] || [ "$1" = --all ]; then
  mapfile -t files < <(git ls-files '*.h' '*.cc' '*.cu' '*.cuh')
else
  files=()
  for p in "$@"; do
    if [ -d "$p" ]; then
      mapfile -t -O "${#files[@]}" files < <(find "$p" -type f \( -name '*.h' -o -name '*.cc' \
        -o -name '*.cu' -o -name '*.cuh' \) | sort)
    elif [ -f "$p" ]; then
      files+=("$p")
    else
      echo "check-format: no such file or folder: $p" >&2
      exit 2
    fi
  done
fi

bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "needs clang-format: $f"
    bad=$((bad + 1))
  fi
done
echo "check-format: ${#files[@]} files checked, $bad would change"
[ "$bad" = 0 ]
