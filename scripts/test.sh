#!/usr/bin/env bash
# Set up the workbench with its test tools and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec python3 -m pytest "$@"
