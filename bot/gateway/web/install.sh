#!/usr/bin/env sh
# Install the demo chat widget's front-end dependency (socket.io-client, pinned in
# package.json / package-lock.json) and copy its browser build to
# bot/gateway/static/vendor/socket.io.min.js (git-ignored), where the gateway serves it.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
npm ci --no-audit --no-fund
mkdir -p ../static/vendor
cp node_modules/socket.io-client/dist/socket.io.min.js ../static/vendor/socket.io.min.js
echo "installed bot/gateway/static/vendor/socket.io.min.js"
