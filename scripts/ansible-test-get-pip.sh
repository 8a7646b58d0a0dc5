#!/usr/bin/env bash
# Cache an offline stand-in for the pip bootstrap script ansible-test downloads.
#
# `ansible-test sanity --local --requirements` creates one venv per sanity test
# (`python -m venv --without-pip`) and bootstraps pip into it by running
# https://ci-files.testing.ansible.com/ansible-test/get-pip-<pip version>.py, which it
# caches as ~/.ansible/test/cache/get_pip_<pip version, dots as underscores>.py
# (ansible_test/_util/target/setup/requirements.py:bootstrap). That host is not
# reachable here, but a cached file is used as is. The pip version comes from
# ansible_test/_internal/python_requirements.py:get_venv_packages() ('24.2' in
# ansible-core 2.19).
#
# ansible-test runs the script (through quiet_pip.py) as
#   <venv python> get_pip_X_Y.py --disable-pip-version-check pip==X.Y --no-setuptools --no-wheel
# so the stand-in bootstraps pip with the standard library's ensurepip, installs the
# requested packages from PyPI exactly as get-pip.py would, and removes setuptools
# (which ensurepip adds on Python < 3.12) when --no-setuptools was asked for.
#
# Usage: scripts/ansible-test-get-pip.sh PYTHON   (the python that has ansible-test)
set -euo pipefail

python=${1:?usage: $0 PYTHON}

pip_version=$("$python" - <<'EOF'
import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version='3.11'))['pip'])
EOF
)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"

marker='mmops offline get-pip'
if [[ -f $cache ]] && ! grep -q "$marker" "$cache"; then
    # A real get-pip script, saved there by hand: that works too.
    exit 0
fi

mkdir -p "$(dirname "$cache")"
tmp=$(mktemp "$cache.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cat >"$tmp" <<EOF
# $marker: stands in for https://ci-files.testing.ansible.com/ansible-test/get-pip-*.py
# Written by scripts/ansible-test-get-pip.sh of the mmops.mattermost collection.
EOF
cat >>"$tmp" <<'EOF'
import subprocess
import sys

args = sys.argv[1:]
no_setuptools = '--no-setuptools' in args
pip_args = [arg for arg in args if arg not in ('--no-setuptools', '--no-wheel')]

subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade', '--quiet'] + pip_args)
if no_setuptools:
    subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'setuptools'])
EOF
# Rewrite our own script only when this version differs (e.g. after an update here).
if ! cmp -s "$tmp" "$cache"; then
    mv "$tmp" "$cache"
    echo "Wrote offline pip bootstrap script for ansible-test: $cache"
fi
