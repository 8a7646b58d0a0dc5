#!/usr/bin/env bash
# Make sure the system packages the integration tests use are installed: gpg (signing tests) and
# PostgreSQL server binaries (plugin_key's database config store, tested against a throw-away cluster).
# Installs the missing ones with apt-get when running as root on Debian/Ubuntu; otherwise says what is
# missing, and the tests that need it skip with that reason.
set -euo pipefail

missing=()
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)

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
