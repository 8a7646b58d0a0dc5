#!/usr/bin/env bash
# Copy the collection into DEST (…/ansible_collections/mmops/mattermost) for ansible-test,
# which only works inside an ansible_collections/<namespace>/<name> tree.
# Copied: the files git tracks plus the untracked ones .gitignore does not exclude,
# i.e. exactly what a commit of the current work tree would contain.
# Usage: scripts/sanity-tree.sh DEST
set -euo pipefail

dest=${1:?usage: $0 DEST}
cd "$(dirname "$0")/.."

case $dest in
    */ansible_collections/*/*) ;;
    *) echo "$0: DEST must end in ansible_collections/<namespace>/<name>: $dest" >&2; exit 2 ;;
esac

rm -rf "$dest"
mkdir -p "$dest"
# -c also lists tracked files deleted from the work tree; copy only what exists.
git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' file; do
        if [[ -e $file || -L $file ]]; then printf '%s\0' "$file"; fi
    done \
    | sort -zu \
    | tar --create --null --files-from=- --file=- \
    | tar --extract --file=- --directory="$dest"
# ansible-test lists content with git when it finds a .git directory walking up from the
# collection - which would be this repo, where .build/ is ignored (so: "All targets
# skipped"). A repository of its own in the copy (nothing committed; ansible-test also
# lists untracked files) makes it see exactly the copied files.
git -C "$dest" init --quiet
echo "Copied $(find "$dest" -type f | wc -l) files to $dest"
