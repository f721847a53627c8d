#!/usr/bin/env bash
# Refresh the vendored front-end libraries from npm, so no page needs the internet.
set -euo pipefail
VERSION="${1:-10.1.5}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack "vis-network@${VERSION}" >/dev/null
tar xzf vis-network-*.tgz
dest="$here/graphsvc/web/static/vendor/vis-network"
mkdir -p "$dest"
cp package/standalone/umd/vis-network.min.js package/styles/vis-network.min.css \
   package/LICENSE-MIT package/LICENSE-APACHE-2.0 "$dest/"
echo "vis-network ${VERSION} from npm (standalone/umd build); refresh with scripts/vendor-frontend.sh" > "$dest/VERSION"
echo "vendored vis-network ${VERSION} into $dest"
