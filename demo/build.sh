#!/usr/bin/env bash
# Builds the demo into demo/site/: corridor_web (plugins/web/build.sh), the page, its script
# type-checked by tsc and bundled by esbuild (both from grafana-panel's npm packages), the wasm and
# the NAB samples.
set -euo pipefail
cd "$(dirname "$0")"

../plugins/web/build.sh
rm -rf site && mkdir -p site/samples
cp index.html style.css site/
cp ../plugins/web/pkg/web/corridor_web_bg.wasm site/
cp ../samples/*.csv ../samples/NOTICE.md site/samples/
../grafana-panel/node_modules/.bin/tsc -p .
../grafana-panel/node_modules/.bin/esbuild src/app.ts --bundle --format=esm --minify --outfile=site/app.js --log-level=warning
echo "demo: built $(pwd)/site"
