#!/usr/bin/env bash
# Install what is missing, idempotently: each step is skipped while the stamp that keys it
# on its requirement file still matches.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import venv' 2>/dev/null; then
    command -v python3.10; return
  fi
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do
      [[ -x $p ]] && { echo "$p"; return; }
    done
  fi
  for p in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    [[ -x $p ]] && { echo "$p"; return; }
  done
  return 1
}

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

ensure_venv() {  # ensure_venv DIR STAMP_KEY INSTALL_CMD...
  local dir=$1 key=$2; shift 2
  if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$key" && -x $dir/bin/python ]]; then
    return
  fi
  local py
  py=$(find_python310) || {
    echo "Python 3.10 is required (Rasa 3.6 supports 3.8-3.10) and was not found." >&2
    echo "Install it, e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv'." >&2
    exit 1
  }
  echo "== installing $dir (python: $py)"
  [[ -x $dir/bin/python ]] || "$py" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --upgrade pip
  "$@"
  echo "$key" > "$dir/.stamp"
}

ensure_venv .venv-rasa "$(stamp_of requirements-rasa.txt)" \
  .venv-rasa/bin/pip install --quiet -r requirements-rasa.txt
ensure_venv .venv "$(stamp_of pyproject.toml)" \
  .venv/bin/pip install --quiet -e '.[dev]'

# Front-end libraries come from the npm registry at install time, never from a CDN.
web=bot/gateway/web
if [[ -f $web/package-lock.json ]]; then
  key=$(stamp_of "$web/package-lock.json" "$web/install.sh")
  if [[ ! -f $web/node_modules/.stamp || $(cat "$web/node_modules/.stamp") != "$key" ]]; then
    command -v npm >/dev/null || { echo "npm is required for the web widget's socket.io client (apt-get install npm)" >&2; exit 1; }
    echo "== installing front-end libraries"
    bash "$web/install.sh"
    echo "$key" > "$web/node_modules/.stamp"
  fi
fi

# Secrets for the processes, generated once into the git-ignored .env.
.venv/bin/python -m bot.secrets >/dev/null
