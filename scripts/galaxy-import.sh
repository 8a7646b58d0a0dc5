#!/usr/bin/env bash
# Run galaxy-importer - what Galaxy and Automation Hub run on every upload - on a built collection tarball, without a
# container engine (ansible-test is off, as in its defaults; ansible-doc and ansible-lint run), and fail on any
# warning or error it logs, not only on the ones it fails for.
# Usage: scripts/galaxy-import.sh TARBALL   (with the venv's tools first on PATH)
set -euo pipefail

tarball=${1:?usage: $0 TARBALL}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
config=$(mktemp -d)
trap 'rm -rf "$log" "$config"' EXIT
cat > "$config/galaxy-importer.cfg" <<'CFG'
[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
CHECK_CHANGELOG = True
CFG
tarball=$(realpath "$tarball")
# galaxy-importer writes importer_result.json into its working directory: keep it out of the work tree.
if ! (cd "$config" && GALAXY_IMPORTER_CONFIG=$config/galaxy-importer.cfg python -m galaxy_importer.main "$tarball") \
        >"$log" 2>&1; then
    cat "$log"
    echo "galaxy-import: galaxy-importer failed on $tarball" >&2
    exit 1
fi
if grep -E 'WARNING|ERROR' "$log"; then
    echo "galaxy-import: galaxy-importer logged the warnings or errors above for $tarball" >&2
    exit 1
fi
tail -n 1 "$log"
