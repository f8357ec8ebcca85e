#!/usr/bin/env bash
# Set up the workbench and open the workshop app on the bundled permit example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec python3 -m streamlit run streamlit_app.py "$@"
