#!/usr/bin/env bash
# The one place that declares Verdict's dependencies. README, CI and docker/Dockerfile all call it.
#   scripts/install-deps.sh            system packages (Debian 12) + Python packages for tests/bench
#   scripts/install-deps.sh --runtime  only what the server binary and the sandboxed toolchains need
set -euo pipefail

mode=${1:-all}
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

# Libraries the C++ code links against at run time, and the toolchains sandboxed code runs with.
RUNTIME_PKGS=(
  libgrpc++1.51 libprotobuf32 libre2-9 libabsl20220623 libgmp10 libmpfr6 libsimdjson14
  libseccomp2 libcld2-0 libcpp-httplib0.11 libicu72
  python3-minimal g++ gcc libssl-dev nodejs ca-certificates
)

# Everything needed to build and test (the sandboxed toolchains of RUNTIME_PKGS included).
BUILD_PKGS=(
  "${RUNTIME_PKGS[@]}"
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libre2-dev libgmp-dev libmpfr-dev libsimdjson-dev
  libseccomp-dev libcld2-dev libcpp-httplib-dev libicu-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpcre2-dev zlib1g-dev libssl-dev
  clang libclang-rt-14-dev clang-format
  python3 python3-pip python3-venv
)

# Python packages: the client, test oracles and peer benchmarks (never the C++ build).
# numpy, tokenizers and safetensors are test oracles for the rollout worker (tokenizer, forward).
PY_PKGS=(grpcio grpcio-tools grpcio-health-checking grpcio-reflection protobuf pytest numpy prometheus_client
         tokenizers safetensors yamllint kubernetes-validate
         nltk langdetect immutabledict)
# IFEval's reference checkers (lm-eval's tasks/ifeval) for the instruction cross-check
# (bench/instruct): only those files are used, so lm-eval's own GPU-stack dependencies are not
# installed (--no-deps); nltk, langdetect and immutabledict above are what they import.
PY_NODEPS_PKGS=(lm-eval==0.4.13)

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

case "$mode" in
  --runtime) apt_install "${RUNTIME_PKGS[@]}" ;;
  all|--all)
    apt_install "${BUILD_PKGS[@]}"
    # Whichever python3 is first on PATH runs the Python tests; install into it. Debian's own
    # python3 marks its site-packages as externally managed (PEP 668): allow it there, since
    # this script is what manages this machine's Python packages for the tests.
    pip_flags=(-q --disable-pip-version-check)
    if python3 -m pip install --help 2>/dev/null | grep -q -- --break-system-packages; then
      pip_flags+=(--break-system-packages)
    fi
    python3 -m pip install "${pip_flags[@]}" "${PY_PKGS[@]}"
    python3 -m pip install "${pip_flags[@]}" --no-deps "${PY_NODEPS_PKGS[@]}"
    ;;
  *) echo "usage: $0 [--runtime]" >&2; exit 2 ;;
esac
