#!/usr/bin/env bash
# Lints the manifests (yamllint) and validates them against the Kubernetes API schemas, offline
# (kubernetes-validate bundles them), in strict mode: unknown fields are errors.
set -euo pipefail
cd "$(dirname "$0")"
yamllint -d '{extends: default, rules: {line-length: {max: 100}, document-start: disable}}' *.yaml
kubernetes-validate --strict -k 1.31.0 *.yaml
