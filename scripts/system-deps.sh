#!/usr/bin/env bash
# Installs the Debian packages Switchyard's samples and tests need when they are missing:
# scikit-learn, numpy and joblib for /usr/bin/python3 (the tutorial's score.py loads a joblib model);
# PyYAML, with which the Python client (clients/python) reads YAML files; curl, which the Kubernetes
# storage-initializer's script uses (its test runs that script).
# Usage: scripts/system-deps.sh [extra-package ...]   (bench adds nginx, wrk, python3-flask, gunicorn)
set -euo pipefail
pkgs=(python3 python3-sklearn python3-numpy python3-joblib python3-yaml curl "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
echo "switchyard: installing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "switchyard: run as root or install: apt-get install ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
