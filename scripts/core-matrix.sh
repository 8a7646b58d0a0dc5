#!/usr/bin/env bash
# Run sanity and units (and, with --integration, the integration suite) on one ansible-core release, in a
# virtualenv of its own under .build/core/<version>. The oldest release runs with the lowest supported runtime
# requirements (tests/requirements-lowest.txt), the others with the pins of requirements-dev.txt.
# Usage: scripts/core-matrix.sh VERSION [--lowest] [--integration]
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: $0 VERSION [--lowest] [--integration]}
shift
runtime=requirements-dev.txt
integration=false
for option in "$@"; do
    case $option in
        --lowest) runtime=tests/requirements-lowest.txt ;;
        --integration) integration=true ;;
        *) echo "$0: unknown option $option" >&2; exit 2 ;;
    esac
done

venv=.build/core/$version
python=${BOOTSTRAP_PYTHON:-python3.11}
stamp=$venv/.stamp-$(cat "$runtime" requirements-dev.txt | sha256sum | cut -c1-16)
if [[ ! -f $stamp ]]; then
    echo "core-matrix: ansible-core $version with $runtime into $venv"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    # The runtime libraries of $runtime, ansible-core $version and the test runners pinned in requirements-dev.txt.
    grep -E '^(pytest|pytest-xdist|pytest-mock|trustme|ansible-runner)==' requirements-dev.txt > "$venv/test-runners.txt"
    grep -vE '^(-r|ansible-core|ansible-lint|molecule|antsibull|pytest|trustme|#)' "$runtime" | grep . > "$venv/runtime.txt" || true
    "$venv/bin/python" -m pip install --quiet "ansible-core==$version" -r "$venv/test-runners.txt" -r "$venv/runtime.txt"
    touch "$stamp"
fi
bin=$(cd "$venv/bin" && pwd)
echo "core-matrix: $("$bin/ansible" --version 2>/dev/null | head -1), $("$bin/python" -m pip freeze | grep -iE '^(requests|python-gnupg|jsonschema|pyyaml)==' | tr '\n' ' ')"

scripts/ansible-test-get-pip.sh "$bin/python"
tree=.build/core-sanity/$version/ansible_collections/mmops/mattermost
scripts/sanity-tree.sh "$tree" >/dev/null
(cd "$tree" && PATH="$bin:$PATH" "$bin/ansible-test" sanity --local --python 3.11 --color no)

collections=$PWD/.build/collections
PATH="$bin:$PATH" PYTHONPATH=$collections ANSIBLE_COLLECTIONS_PATH=$collections ANSIBLE_PYTHON_INTERPRETER=$bin/python \
    "$bin/python" -m pytest -q -p no:cacheprovider tests/unit
if $integration; then
    PATH="$bin:$PATH" PYTHONPATH=$collections ANSIBLE_COLLECTIONS_PATH=$collections ANSIBLE_PYTHON_INTERPRETER=$bin/python \
        "$bin/python" -m pytest -q -p no:cacheprovider -n auto tests/integration
fi
