#!/usr/bin/env bash
# make demo: start the Mattermost simulator, apply playbooks/site.yml to it twice
# (the first run converges it, the second must report changed=0), stop the simulator.
# Extra arguments go to both ansible-playbook runs (make demo ARGS=--diff).
# Exit status: that of the first failing run; 3 if the second run changed anything.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${VENV:-$PWD/.venv}
work=$PWD/.build/demo
state_file=$work/sim-state.json
sim_log=$work/sim.log
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$PWD/.build/collections}
export ANSIBLE_PYTHON_INTERPRETER=${ANSIBLE_PYTHON_INTERPRETER:-$venv/bin/python}

mkdir -p "$work"
rm -f "$state_file"

PYTHONPATH=$PWD/tests/simulator "$venv/bin/python" -m mmsim --port 0 --state-file "$state_file" \
    --scenario tests/simulator/mmsim/data/scenario-demo.json \
    >"$sim_log" 2>&1 &
sim_pid=$!

stop_simulator() {
    if kill -0 "$sim_pid" 2>/dev/null; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$sim_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$sim_pid" 2>/dev/null || true
    fi
    wait "$sim_pid" 2>/dev/null || true
}
trap stop_simulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The simulator writes its state file (atomically) once it serves requests.
for _ in $(seq 300); do
    [[ -s $state_file ]] && break
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "The simulator exited before it was ready; its log ($sim_log):" >&2
        cat "$sim_log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ ! -s $state_file ]]; then
    echo "The simulator was not ready within 30 s; its log: $sim_log" >&2
    exit 1
fi

state() {
    "$venv/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$state_file" "$1"
}
MATTERMOST_URL=$(state url)
MATTERMOST_TOKEN=$(state token) # never printed
export MATTERMOST_URL MATTERMOST_TOKEN
echo "Mattermost simulator (pid $sim_pid) at $MATTERMOST_URL; log: $sim_log"

playbook() {
    "$venv/bin/ansible-playbook" -i playbooks/inventory/demo.yml playbooks/site.yml "$@"
}

header() {
    printf '\n%s\n== %s\n%s\n\n' "$(printf '=%.0s' {1..78})" "$1" "$(printf '=%.0s' {1..78})"
}

# Keep colours on a terminal even though run 2 goes through tee.
if [[ -t 1 ]]; then export ANSIBLE_FORCE_COLOR=1; fi

header "Run 1: converge the server to playbooks/inventory/group_vars/mattermost.yml"
rc=0
playbook "$@" || rc=$?
if [[ $rc -ne 0 ]]; then
    echo "The first run failed (exit $rc)." >&2
    exit "$rc"
fi

header "Run 2: the same playbook again - nothing left to change (changed=0)"
out=$work/second-run.log
rc=0
playbook "$@" 2>&1 | tee "$out" || rc=$?
if [[ $rc -ne 0 ]]; then
    echo "The second run failed (exit $rc)." >&2
    exit "$rc"
fi
# The PLAY RECAP lines, without colour codes: every host must report changed=0.
if sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^[^ ].* : ok=[0-9]+ +changed=[1-9]' >&2; then
    echo "The second run changed something: the playbook is not idempotent." >&2
    exit 3
fi
echo "Idempotent: the second run changed nothing."
