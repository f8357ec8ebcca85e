#!/usr/bin/env bash
# Install what the workbench needs on a Debian machine: Graphviz, and the package
# itself in editable mode. With --test, also chromium (for the browser tests),
# poppler-utils (to read PDF reports) and the Python test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[[ "${1:-}" == "--test" ]] && with_tests=1

debian_packages=(graphviz fonts-dejavu-core)
if [[ $with_tests -eq 1 ]]; then
  debian_packages+=(chromium poppler-utils)
fi

missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
    || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo_prefix=""
  [[ $(id -u) -ne 0 ]] && sudo_prefix="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo_prefix apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_prefix apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python_extra=""
[[ $with_tests -eq 1 ]] && python_extra="[test]"
echo "Installing the workbench package${python_extra:+ with its test tools}"
python3 -m pip install --quiet --disable-pip-version-check -e ".${python_extra}"
