#!/usr/bin/env bash
# Builds the embedded FerretDB v1.24.2 launcher (SQLite backend) into .tools/bin once.
# Idempotent: a no-op when the binary is already built from the current sources.
# Skipped when MONGODB_URI (or, for tests, MONGODB_URI_TEST) points at a real server.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/scripts/ferretdb"
bin="$root/.tools/bin/ferretdb-embedded"
stamp="$root/.tools/bin/ferretdb-embedded.stamp"

if [[ -n "${MONGODB_URI:-}" || -n "${MONGODB_URI_TEST:-}" ]]; then
  echo "ensure-ferretdb: MONGODB_URI is set; not building the embedded FerretDB."
  exit 0
fi

want="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
ensure-ferretdb: the Go toolchain (go >= 1.22) is not on PATH, so the embedded FerretDB
cannot be built. Either install Go, or point the service at a MongoDB 6+ server:
  export MONGODB_URI='mongodb://127.0.0.1:27017/gate-duty'
  export MONGODB_URI_TEST='mongodb://127.0.0.1:27017'   # for npm test
MSG
  exit 1
fi

echo "ensure-ferretdb: building FerretDB v1.24.2 (first run only: a few minutes with an empty Go cache, seconds after)..."
mkdir -p "$root/.tools/bin"
(cd "$src" && go build -trimpath -o "$bin" .)
echo "$want" > "$stamp"
echo "ensure-ferretdb: built $bin"
