#!/usr/bin/env bash
# Render the documentation of every module, role and other documented plugin of an
# INSTALLED copy of the collection with ansible-doc, and fail on any error or warning
# (ansible-doc exits 0 and only warns when a plugin is missing or its docs do not load).
# The caller points ANSIBLE_COLLECTIONS_PATH at the install root; each rendered plugin
# must come from INSTALLED_DIR, not from the source tree.
# Usage: ANSIBLE_COLLECTIONS_PATH=ROOT scripts/check-docs.sh ROOT/ansible_collections/mmops/mattermost
set -euo pipefail

installed=${1:?usage: $0 INSTALLED_COLLECTION_DIR}
installed=$(cd "$installed" && pwd -P)
fqcn_prefix=mmops.mattermost
export PAGER=cat ANSIBLE_PAGER=cat ANSIBLE_NOCOLOR=1
failures=0
rendered=0

# check TYPE NAME: render the docs of one plugin (text and JSON), check errors/warnings/origin.
check() {
    local type=$1 name=$2 out json filename
    if ! out=$(ansible-doc -t "$type" "$fqcn_prefix.$name" 2>&1); then
        echo "FAIL: ansible-doc -t $type $fqcn_prefix.$name exited non-zero:" >&2
        awk '{print "    " $0}' <<<"$out" >&2
        failures=$((failures + 1))
        return
    fi
    if grep -Eq '\[(WARNING|ERROR|DEPRECATION WARNING)\]|^(WARNING|ERROR):' <<<"$out"; then
        echo "FAIL: ansible-doc -t $type $fqcn_prefix.$name warned:" >&2
        grep -E '\[(WARNING|ERROR|DEPRECATION WARNING)\]|^(WARNING|ERROR):' <<<"$out" | awk '{print "    " $0}' >&2
        failures=$((failures + 1))
        return
    fi
    if [[ $type == role ]]; then
        # A role without meta/argument_specs.yml renders as an empty page (and exit 0).
        if ! grep -q 'ENTRY POINT' <<<"$out"; then
            echo "FAIL: role $fqcn_prefix.$name has no documented entry point (add meta/argument_specs.yml)" >&2
            failures=$((failures + 1))
            return
        fi
        if ! grep -qF "($installed)" <<<"$out"; then
            echo "FAIL: role $fqcn_prefix.$name was not loaded from $installed:" >&2
            head -1 <<<"$out" >&2
            failures=$((failures + 1))
            return
        fi
    else
        json=$(ansible-doc -t "$type" --json "$fqcn_prefix.$name" 2>/dev/null)
        filename=$(python -c 'import json, sys; d = json.load(sys.stdin); print(next(iter(d.values()))["doc"]["filename"])' <<<"$json")
        if [[ $(realpath "$filename") != "$installed"/* ]]; then
            echo "FAIL: $type $fqcn_prefix.$name was loaded from $filename, not from $installed" >&2
            failures=$((failures + 1))
            return
        fi
    fi
    echo "ok: $type $fqcn_prefix.$name ($(wc -l <<<"$out") lines)"
    rendered=$((rendered + 1))
}

shopt -s nullglob

# Modules: one per file.
modules=()
for path in "$installed"/plugins/modules/*.py; do
    name=$(basename "$path" .py)
    [[ $name == __init__ ]] || modules+=("$name")
done
if [[ ${#modules[@]} -eq 0 ]]; then
    echo "FAIL: no modules under $installed/plugins/modules" >&2
    exit 1
fi
for name in "${modules[@]}"; do
    check module "$name"
done

# Roles (none may exist yet).
for path in "$installed"/roles/*/; do
    check role "$(basename "$path")"
done

# Other documented plugin types, by what ansible-doc lists for the collection.
for type in become cache callback cliconf connection filter httpapi inventory lookup netconf shell strategy test vars; do
    [[ -d $installed/plugins/$type ]] || continue
    names=$(ansible-doc -t "$type" -l "$fqcn_prefix" --json 2>/dev/null \
        | python -c 'import json, sys; [print(k.split(".", 2)[2]) for k in json.load(sys.stdin)]')
    for name in $names; do
        check "$type" "$name"
    done
done

if [[ $failures -ne 0 ]]; then
    echo "ansible-doc: $failures failure(s), $rendered rendered cleanly" >&2
    exit 1
fi
echo "ansible-doc: all $rendered plugin(s)/role(s) rendered without warnings"
