#!/usr/bin/env bash
# Re-fetch the front-end assets vendored under static/vendor/.
#
# The portal never loads anything from a CDN: browsers in some customer networks
# cannot reach one, and a third-party script would see every page. So the dist files
# of each package are copied into the repository, with their licence, from the npm
# registry tarball (`npm pack`, no node_modules, no install scripts run).
#
# To upgrade: change a version below, run `tools/vendor-static.sh` from anywhere,
# update static/vendor/README.md, look at the pages, commit. Not run in CI.
#
# Requires: npm, tar. Uses the npm registry configured for npm (`npm config get registry`).
set -euo pipefail

BOOTSTRAP_VERSION=5.3.9         # css + bundle js (includes Popper)
BOOTSTRAP_ICONS_VERSION=1.13.2  # icon font + css
HTMX_VERSION=2.0.11             # stay on 2.x: htmx 4 changes attribute inheritance and events
CHARTJS_VERSION=4.6.1           # UMD build, for the staff dashboards

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor="$repo_root/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch <package> <version>: unpack the registry tarball into $work/<package>/package/
fetch() {
    local name="$1" version="$2"
    mkdir -p "$work/$name"
    (cd "$work/$name" && npm pack --silent "$name@$version" >/dev/null && tar -xzf ./*.tgz)
    local got
    got="$(node -p "require('$work/$name/package/package.json').version")"
    if [[ "$got" != "$version" ]]; then
        echo "expected $name@$version, npm gave $got" >&2
        exit 1
    fi
    echo "$work/$name/package"
}

# Bootstrap: compiled css and the js bundle, with their source maps.
src="$(fetch bootstrap "$BOOTSTRAP_VERSION")"
rm -rf "$vendor/bootstrap" && mkdir -p "$vendor/bootstrap/css" "$vendor/bootstrap/js"
cp "$src"/dist/css/bootstrap.min.css "$src"/dist/css/bootstrap.min.css.map "$vendor/bootstrap/css/"
cp "$src"/dist/js/bootstrap.bundle.min.js "$src"/dist/js/bootstrap.bundle.min.js.map "$vendor/bootstrap/js/"
cp "$src"/LICENSE "$vendor/bootstrap/LICENSE"

# Bootstrap Icons: the web font and its stylesheet (which expects fonts/ next to it).
src="$(fetch bootstrap-icons "$BOOTSTRAP_ICONS_VERSION")"
rm -rf "$vendor/bootstrap-icons" && mkdir -p "$vendor/bootstrap-icons/fonts"
cp "$src"/font/bootstrap-icons.min.css "$vendor/bootstrap-icons/"
cp "$src"/font/fonts/bootstrap-icons.woff2 "$src"/font/fonts/bootstrap-icons.woff "$vendor/bootstrap-icons/fonts/"
cp "$src"/LICENSE "$vendor/bootstrap-icons/LICENSE"

# htmx: the minified build.
src="$(fetch htmx.org "$HTMX_VERSION")"
rm -rf "$vendor/htmx" && mkdir -p "$vendor/htmx"
cp "$src"/dist/htmx.min.js "$vendor/htmx/"
cp "$src"/LICENSE "$vendor/htmx/LICENSE"

# Chart.js: the UMD build (a plain <script>, exposes window.Chart).
src="$(fetch chart.js "$CHARTJS_VERSION")"
rm -rf "$vendor/chartjs" && mkdir -p "$vendor/chartjs"
cp "$src"/dist/chart.umd.js "$vendor/chartjs/"
[[ -f "$src"/dist/chart.umd.js.map ]] && cp "$src"/dist/chart.umd.js.map "$vendor/chartjs/"
cp "$src"/LICENSE.md "$vendor/chartjs/LICENSE.md"

echo "Vendored into $vendor:"
echo "  bootstrap $BOOTSTRAP_VERSION, bootstrap-icons $BOOTSTRAP_ICONS_VERSION,"
echo "  htmx.org $HTMX_VERSION, chart.js $CHARTJS_VERSION"
echo "Now update static/vendor/README.md if a version changed."
