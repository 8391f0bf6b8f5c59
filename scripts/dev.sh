#!/usr/bin/env bash
# Set up the project's own environment (.venv) and run a task in it.
#   bash scripts/dev.sh run     set up, then run the default scenario (results/runs/baseline-seed42)
#   bash scripts/dev.sh test    set up, then run the whole test suite
#   bash scripts/dev.sh setup   set up only
#   bash scripts/dev.sh notebook        set up with Jupyter, then open the teaching notebook
#   bash scripts/dev.sh notebook-html   execute it and render it to docs/notebooks/
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

find_python() {
  # Run each candidate: pyenv shims for missing versions exist on PATH but fail when run.
  local c
  local candidates=(python3.12 python3.13 python3 python)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root=$(pyenv root 2>/dev/null || true)
    if [ -n "$root" ]; then
      for v in $(ls -1 "$root/versions" 2>/dev/null | sort -V); do
        candidates+=("$root/versions/$v/bin/python3")
      done
    fi
  fi
  for c in "${candidates[@]}"; do
    if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      "$c" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

setup() {
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    local py
    if ! py=$(find_python); then
      echo "collabsim: no Python 3.12 or newer found (looked on PATH and in pyenv's versions); install one and run this again." >&2
      exit 1
    fi
    echo "collabsim: creating $VENV with $py" >&2
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "collabsim: installing collabsim and its dependencies into $VENV (log: $VENV/install.log)" >&2
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install -e ".[test]"; } > "$VENV/install.log" 2>&1; then
      tail -n 30 "$VENV/install.log" >&2
      echo "collabsim: installation failed; the full log is $VENV/install.log" >&2
      exit 1
    fi
    touch "$stamp"
  fi
}

setup_notebook() {
  setup
  local stamp="$VENV/.installed-notebook"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "collabsim: installing Jupyter into $VENV (log: $VENV/install-notebook.log)" >&2
    if ! "$VENV/bin/python" -m pip install -e ".[test,notebook]" > "$VENV/install-notebook.log" 2>&1; then
      tail -n 30 "$VENV/install-notebook.log" >&2
      echo "collabsim: installation failed; the full log is $VENV/install-notebook.log" >&2
      exit 1
    fi
    touch "$stamp"
  fi
}

task=${1:-run}
shift || true
case "$task" in
  setup) setup ;;
  run) setup; exec "$VENV/bin/collabsim" run "$@" ;;
  test) setup; exec "$VENV/bin/python" -m pytest "$@" ;;
  notebook) setup_notebook; exec "$VENV/bin/jupyter" lab notebooks/demo_myths.ipynb "$@" ;;
  notebook-html)
    setup_notebook
    exec "$VENV/bin/jupyter" nbconvert --to html --execute notebooks/demo_myths.ipynb \
      --output-dir docs/notebooks "$@" ;;
  *) echo "usage: bash scripts/dev.sh [setup|run|test|notebook|notebook-html] [args...]" >&2; exit 2 ;;
esac
