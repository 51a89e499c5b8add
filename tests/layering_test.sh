#!/usr/bin/env bash
# Enforces the dependency direction of DESIGN.md §3 on #include lines:
#  - verifier/ and rewards/ never include gRPC, protobuf, Boost or CUDA headers;
#  - public headers (*.h) outside server/, cli/ and rollout/ include no grpcpp/, boost/, seccomp or
#    CUDA headers (those stay in .cc files: STYLE.md rule 3);
#  - grpcpp/ appears only in server/, cli/, rollout/ (its gRPC client), tests/ and bench/;
#  - CUDA headers appear only under rollout/cuda/;
#  - base/ includes only the standard library, absl and base/ (it is below everything);
#  - verifier/ and rewards/ use the sandbox through its Runner API only (verdict_sandbox_api): no
#    linux_runner.h, fake_runner.h or sandbox/internal/.
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
fail=0
report() { echo "layering: $1"; fail=1; }

forbidden='#include *[<"](grpcpp/|grpc/|google/protobuf/|boost/|cuda|cublas|curand|verdict/v1/)'
for dir in verifier rewards; do
  while IFS= read -r hit; do report "$hit (no gRPC/protobuf/Boost/CUDA in $dir/)"; done \
    < <(grep -rnE "$forbidden" "$dir" --include='*.h' --include='*.cc' 2>/dev/null)
done

while IFS= read -r hit; do report "$hit (public header includes a private dependency)"; done \
  < <(grep -rnE '#include *[<"](grpcpp/|boost/|seccomp|cuda)' --include='*.h' \
        verifier rewards sandbox 2>/dev/null)

while IFS= read -r hit; do report "$hit (grpcpp outside server/, cli/, rollout/)"; done \
  < <(grep -rnE '#include *[<"]grpcpp/' --include='*.h' --include='*.cc' \
        verifier rewards sandbox 2>/dev/null)

while IFS= read -r hit; do report "$hit (CUDA outside rollout/cuda/)"; done \
  < <(grep -rnE '#include *[<"](cuda_runtime|cuda\.h|cublas|curand|cuda_bf16|cuda_fp16)' \
        --include='*.h' --include='*.cc' --include='*.cu' --include='*.cuh' \
        verifier rewards sandbox server cli 2>/dev/null; \
      grep -rnlE '#include *[<"](cuda_runtime|cuda\.h|cublas)' rollout 2>/dev/null \
        | grep -v '^rollout/cuda/' | sed 's/$/: includes CUDA/')

while IFS= read -r hit; do report "$hit (base/ includes only absl and base/)"; done \
  < <(grep -rnE '#include *"' base --include='*.h' --include='*.cc' 2>/dev/null \
        | grep -vE '#include *"(absl/|base/)')

while IFS= read -r hit; do report "$hit (the sandbox through its Runner API only)"; done \
  < <(grep -rnE '#include *"sandbox/(linux_runner|fake_runner|internal/)' verifier rewards \
        --include='*.h' --include='*.cc' 2>/dev/null)

if [ "$fail" = 0 ]; then echo "layering: ok"; fi
exit "$fail"
