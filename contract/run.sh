#!/usr/bin/env bash
# The contract suites in other languages, against the built mock (dist/cli.js, which `npm ci`
# builds): the official Python SDK under pytest, in a virtual environment under the repository
# (contract/python/.venv, git-ignored; pinned by contract/python/requirements.txt), then Go's
# `go test`. Any failure fails the script, pytest's exit 5 (no test collected) included.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f ../dist/cli.js ]; then
  echo "contract: ../dist/cli.js is missing: run npm run build first" >&2
  exit 1
fi

venv=python/.venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r python/requirements.txt
echo "contract: pytest with $("$venv/bin/python" -m pip show openrouter | grep '^Version:' | sed 's/Version: /openrouter /')"
"$venv/bin/python" -m pytest python

echo "contract: go test on $(go version | cut -d' ' -f3)"
(cd go && go mod download && go test -count=1 ./...)
