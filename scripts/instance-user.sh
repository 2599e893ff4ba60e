#!/usr/bin/env bash
# Creates the unprivileged user Switchyard runs instances as (docs/security.md, "Instance isolation"):
# a system account with no password, no login shell and no home of its own (each instance gets a fresh
# HOME and TMPDIR from the server). Idempotent; needs root (npm start and npm test run it when root).
# Usage: scripts/instance-user.sh [NAME]   (default: $SWITCHYARD_INSTANCE_USER or switchyard-instance)
set -euo pipefail
name=${1:-${SWITCHYARD_INSTANCE_USER:-switchyard-instance}}
if [[ $name == none ]]; then exit 0; fi
if getent passwd "$name" >/dev/null; then exit 0; fi
if [[ $(id -u) != 0 ]]; then
  echo "switchyard: the instance user '$name' does not exist; as root run: bash scripts/instance-user.sh $name" >&2
  exit 1
fi
nologin=$(command -v nologin || echo /usr/sbin/nologin)
echo "switchyard: creating the system user '$name' that runs scoring instances" >&2
useradd --system --user-group --no-create-home --home-dir /nonexistent --shell "$nologin" \
  --comment 'Switchyard scoring instances' "$name"
