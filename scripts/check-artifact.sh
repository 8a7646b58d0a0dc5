#!/usr/bin/env bash
# Check a built collection tarball: it must hold the modules, and none of the local
# build/test junk that galaxy.yml's build_ignore is meant to keep out.
# Usage: scripts/check-artifact.sh TARBALL
set -euo pipefail

if [[ $# -ne 1 || ! -f $1 ]]; then
    echo "usage: $0 TARBALL (exactly one existing file; got: $*)" >&2
    exit 2
fi
tarball=$1
listing=$(tar --list --gzip --file "$tarball")
status=0

for required in MANIFEST.json FILES.json meta/runtime.yml plugins/modules/; do
    if ! grep -q "^\(\./\)\?${required}" <<<"$listing"; then
        echo "ERROR: $tarball has no $required" >&2
        status=1
    fi
done
if ! grep -q '^\(\./\)\?plugins/modules/[^/]*\.py$' <<<"$listing"; then
    echo "ERROR: $tarball has no module under plugins/modules/" >&2
    status=1
fi

junk='(^|/)(\.venv|\.build|\.git|\.ci|\.pytest_cache|__pycache__|\.ansible|\.tox|\.mypy_cache)(/|$)|(^|/)tests/output(/|$)|\.py[co]$|^(\./)?[^/]*\.tar\.gz$'
if found=$(grep -E "$junk" <<<"$listing"); then
    echo "ERROR: $tarball contains files that build_ignore should exclude:" >&2
    awk '{print "  " $0}' <<<"$found" | head -20 >&2
    status=1
fi

if [[ $status -eq 0 ]]; then
    echo "OK: $tarball ($(grep -vc '/$' <<<"$listing") entries; modules: $(grep -c '^\(\./\)\?plugins/modules/[^/]*\.py$' <<<"$listing"))"
fi
exit $status
