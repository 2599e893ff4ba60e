#!/usr/bin/env bash
# The "safe rollout for online endpoints" walkthrough of Azure Machine Learning, step by step, with
# `az ml` replaced by `switchyard`. The commands and relative paths are those of Microsoft's
# azureml-examples script cli/deploy-safe-rollout-online-endpoints.sh: this folder plays the part of
# their cli/ folder, so the same `endpoints/online/...` paths work.
#
# Usage:  bash walkthrough.sh [--serve] [ENDPOINT_NAME]
#   --serve         start `switchyard serve` in the background (temporary data dir, ephemeral ports),
#                   wait until it is healthy, and stop it at the end: a one-command demo.
#   ENDPOINT_NAME   default: $ENDPOINT_NAME, else endpt-<random> (as Microsoft's script does)
# Environment:
#   SWITCHYARD      the command to run (default: this repository's bin/switchyard)
#   SWITCHYARD_URL, SWITCHYARD_TOKEN   which server the CLI talks to (without --serve)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SWITCHYARD="${SWITCHYARD:-$here/../../bin/switchyard}"

serve=0
name_arg=""
for arg in "$@"; do
  case "$arg" in
    --serve) serve=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "walkthrough.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    *) name_arg="$arg" ;;
  esac
done
export ENDPOINT_NAME="${name_arg:-${ENDPOINT_NAME:-endpt-$RANDOM}}"

# Paths below are relative to this folder, like Microsoft's script is to cli/.
cd "$here"

bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'
[[ -t 1 ]] || { bold=""; dim=""; off=""; }
step() { printf '\n%s== %s%s\n' "$bold" "$1" "$off"; [[ -n "${2:-}" ]] && printf '%s   %s%s\n' "$dim" "$2" "$off"; return 0; }
# Echo a command as the user would type it (switchyard, not its full path), then run it.
sy() {
  local shown=() a
  for a in "$@"; do [[ "$a" == *" "* ]] && shown+=("\"$a\"") || shown+=("$a"); done
  printf '$ switchyard %s\n' "${shown[*]}"
  "$SWITCHYARD" "$@"
}

# ---------------------------------------------------------------------------------------------
# --serve: a private server for this run, stopped (with every instance it started) on exit.
server_pid=""
data_dir=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # The server stops its instance processes on SIGTERM; give it time before insisting.
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  [[ -n "$data_dir" ]] && rm -rf "$data_dir"
  return 0
}
if (( serve )); then
  data_dir="$(mktemp -d -t switchyard-walkthrough.XXXXXX)"
  trap stop_server EXIT
  trap 'exit 130' INT TERM
  step "Starting switchyard serve" "data in $data_dir, ports chosen by the system; stopped when this script ends"
  "$SWITCHYARD" serve --port 0 --gateway-port 0 --data-dir "$data_dir" >"$data_dir/serve.out" 2>"$data_dir/serve.err" &
  server_pid=$!
  # The first stdout line is a JSON event with the URLs the server listens on.
  for _ in $(seq 1 200); do
    [[ -s "$data_dir/serve.out" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "switchyard serve exited:" >&2; cat "$data_dir/serve.err" >&2; exit 1; }
    sleep 0.1
  done
  SWITCHYARD_URL="$(head -n1 "$data_dir/serve.out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).controlUrl))')"
  export SWITCHYARD_URL
  until curl -sf "$SWITCHYARD_URL/api/v1/health" >/dev/null && [[ -s "$data_dir/admin-token" ]]; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$data_dir/serve.err" >&2; exit 1; }
    sleep 0.1
  done
  SWITCHYARD_TOKEN="$(cat "$data_dir/admin-token")"
  export SWITCHYARD_TOKEN
  echo "server ready at $SWITCHYARD_URL"
fi

echo "Endpoint name: $ENDPOINT_NAME"

# ---------------------------------------------------------------------------------------------
step "1. Create the endpoint" "endpoint.yml says name: my-endpoint; --name overrides it. Key auth."
sy online-endpoint create --name "$ENDPOINT_NAME" -f endpoints/online/managed/sample/endpoint.yml -o none

step "2. Create the blue deployment (model 1) with all traffic" \
     "waits until its instance has run score.py's init() and is ready, then routes 100% to it"
sy online-deployment create --name blue --endpoint "$ENDPOINT_NAME" \
   -f endpoints/online/managed/sample/blue-deployment.yml --all-traffic -o none

echo "blue's environment check (conda.yaml pins vs the local interpreter: warnings, not failures):"
sy online-deployment get-logs --name blue --endpoint "$ENDPOINT_NAME" --container storage-initializer | grep -E 'interpreter|WARNING' || true

step "3. Invoke the endpoint" "blue answers: model 1's predictions for the two sample rows"
sy online-endpoint invoke --name "$ENDPOINT_NAME" --request-file endpoints/online/model-1/sample-request.json

step "4. Scale blue to two instances" "only instance_count changes, so this scales without restarting the first instance"
sy online-deployment update --name blue --endpoint "$ENDPOINT_NAME" --set instance_count=2 -o none

step "5. Create the green deployment (model 2), no traffic yet"
sy online-deployment create --name green --endpoint "$ENDPOINT_NAME" \
   -f endpoints/online/managed/sample/green-deployment.yml -o none

step "6. Show the traffic split" "green is listed with 0: it exists but gets no unnamed requests"
sy online-endpoint show -n "$ENDPOINT_NAME" --query traffic

step "7. Test green directly" "--deployment-name sends the request to green whatever its traffic: model 2's predictions"
sy online-endpoint invoke --name "$ENDPOINT_NAME" --deployment-name green --request-file endpoints/online/model-2/sample-request.json

step "8. The same with curl" "the endpoint's key and the azureml-model-deployment header, as any HTTP client would"
ENDPOINT_KEY=$("$SWITCHYARD" online-endpoint get-credentials -n "$ENDPOINT_NAME" -o tsv --query primaryKey)
SCORING_URI=$("$SWITCHYARD" online-endpoint show -n "$ENDPOINT_NAME" -o tsv --query scoring_uri)
echo "ENDPOINT_KEY=\$(switchyard online-endpoint get-credentials -n $ENDPOINT_NAME -o tsv --query primaryKey)"
echo "SCORING_URI=\$(switchyard online-endpoint show -n $ENDPOINT_NAME -o tsv --query scoring_uri)   # $SCORING_URI"
echo "\$ curl --request POST \"\$SCORING_URI\" --header \"Authorization: Bearer \$ENDPOINT_KEY\" --header 'Content-Type: application/json' --header \"azureml-model-deployment: green\" --data @endpoints/online/model-2/sample-request.json"
curl --silent --show-error --fail-with-body --request POST "$SCORING_URI" \
     --header "Authorization: Bearer $ENDPOINT_KEY" --header 'Content-Type: application/json' \
     --header "azureml-model-deployment: green" --data @endpoints/online/model-2/sample-request.json \
     --dump-header "${TMPDIR:-/tmp}/walkthrough-headers.$$"
echo
grep -i '^azureml-model-deployment:' "${TMPDIR:-/tmp}/walkthrough-headers.$$" || true
rm -f "${TMPDIR:-/tmp}/walkthrough-headers.$$"

step "9. Mirror 10% of live traffic to green" \
     "clients still get only blue's answers; green receives a copy of about 1 request in 10"
sy online-endpoint update --name "$ENDPOINT_NAME" --mirror-traffic "green=10" -o none
echo "invoking 20 times:"
for i in $(seq 1 20); do
  printf '  %2d: ' "$i"
  "$SWITCHYARD" online-endpoint invoke --name "$ENDPOINT_NAME" --request-file endpoints/online/model-1/sample-request.json
done
sleep 1 # mirror copies are sent asynchronously, after the client's answer

step "10. Green's logs" "its score.py logged every request it got: the 2 direct ones above plus the mirrored copies"
sy online-deployment get-logs --name green --endpoint "$ENDPOINT_NAME" --lines 50 | grep 'model 2: request received' || true
green_seen=$("$SWITCHYARD" online-deployment get-logs --name green --endpoint "$ENDPOINT_NAME" --lines 5000 | grep -c 'model 2: request received' || true)
echo "green logged $green_seen requests: 2 sent to it by name, $(( green_seen - 2 )) mirrored out of 20"
echo "what the gateway counted for green:"
sy online-deployment metrics -n green -e "$ENDPOINT_NAME"

step "11. Stop mirroring"
sy online-endpoint update --name "$ENDPOINT_NAME" --mirror-traffic "green=0" -o none

step "12. Send 10% of live traffic to green" "now clients get green's answers for about 1 request in 10"
sy online-endpoint update --name "$ENDPOINT_NAME" --traffic "blue=90 green=10" -o none
sy online-endpoint show -n "$ENDPOINT_NAME" --query traffic

step "13. Send all traffic to green"
sy online-endpoint update --name "$ENDPOINT_NAME" --traffic "blue=0 green=100" -o none
sy online-endpoint show -n "$ENDPOINT_NAME" --query traffic
sy online-endpoint invoke --name "$ENDPOINT_NAME" --request-file endpoints/online/model-2/sample-request.json

step "14. Delete blue" "--no-wait returns at once; its instances are drained and stopped in the background"
sy online-deployment delete --name blue --endpoint "$ENDPOINT_NAME" --yes --no-wait

step "15. Delete the endpoint" "with the green deployment and its instances"
sy online-endpoint delete --name "$ENDPOINT_NAME" --yes --no-wait

if (( serve )); then
  # The deletes run in the server: let them finish before it is stopped, so the demo ends clean.
  for _ in $(seq 1 300); do
    "$SWITCHYARD" online-endpoint show -n "$ENDPOINT_NAME" -o none >/dev/null 2>&1 || break
    sleep 0.1
  done
fi
step "Done in ${SECONDS}s" "the safe rollout finished: green serves all traffic, blue and the endpoint are gone"
