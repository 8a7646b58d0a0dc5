#!/usr/bin/env bash
# Make sure the system packages the tests use are installed: gpg (signing tests), PostgreSQL server binaries
# (plugin_key's database config store, the real-server tests) and Chromium (the rendered HTML report).
# Installs the missing ones with apt-get when running as root on Debian/Ubuntu; otherwise says what is
# missing, and the tests that need it skip with that reason.
set -euo pipefail

missing=()
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
# Headless Chromium renders the HTML fleet report in tests/integration/test_report.py.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} for the integration tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
        || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
else
    echo "note: ${missing[*]} not installed (needs root and apt-get); the tests that use them are skipped" >&2
fi
