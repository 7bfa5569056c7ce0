#!/usr/bin/env bash
# Train the Rasa model only when data/, config.yml or the domain changed (a hash stamp).
set -euo pipefail
cd "$(dirname "$0")/.."
# MODEL_OUT=<dir> trains a private copy there (an engineer trying a change end to end).
out=${MODEL_OUT:-models}
mkdir -p "$out"
model=$out/merchant-assistant.tar.gz
stamp=$out/.train-stamp
inputs=(data config.yml domain)
key=$(find "${inputs[@]}" -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)
if [[ -f $model && -f $stamp && $(cat "$stamp") == "$key" ]]; then
  echo "model is up to date ($model)"
  exit 0
fi
echo "== training (data changed)"
start=$(date +%s)
RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore \
  .venv-rasa/bin/rasa train --domain domain --fixed-model-name merchant-assistant --out "$out" --quiet
echo "$key" > "$stamp"
echo "trained in $(( $(date +%s) - start ))s"
