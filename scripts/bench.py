#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""make bench: what converging plugins costs, against the simulator, printed as one Markdown table.

Columns: plugin_set in-process (the default on the controller), plugin_set forced to the module path
(MMOPS_MATTERMOST_IN_PROCESS=false), a loop of the plugin module and a plain ansible.builtin.uri playbook
(scripts/bench/*.yml). Rows: (a) HTTP requests of a no-op converge of 20 plugins on one server; (b) wall time of
converging 50 servers x 20 plugins (forks 10), no-op and all-changed, as ratios to the uri playbook; (c)
playbooks/drift.yml over 1,000 servers x 20 plugins (forks 20): wall time, CPU seconds per server, peak
controller memory and the simulator's CPU share; (d) the plugin module's peak memory uploading a 100 MiB bundle.
One simulator process serves every server. The slowest cases run on fewer servers and are scaled per server,
as the table says. Each case runs once: a benchmark, not a test, so the targets are printed and judged, never
asserted; a missed target prints its measured reason.
"""

import argparse
import io
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

import requests

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
PLAYBOOKS = os.path.join(REPO, 'scripts', 'bench')
DRIFT = os.path.join(REPO, 'playbooks', 'drift.yml')
sys.path.insert(0, os.path.join(REPO, 'tests'))
# The tests' harness: the simulator process, fleet inventories, ansible-playbook runs.
from support.playbooks import collections_path, fleet_inventory, process_tree, run_playbook  # noqa: E402 pylint: disable=wrong-import-position
from support.simulator import Simulator  # noqa: E402 pylint: disable=wrong-import-position

# 20 plugins the simulator's Marketplace offers to its Mattermost 9.11 (the 14 real installable ones plus fillers).
PLUGINS = [
    'antivirus',
    'com.github.jespino.recommend',
    'com.github.matterpoll.matterpoll',
    'com.github.phillipahereza.mattermost-plugin-digitalocean',
    'com.mattermost.agenda',
    'com.mattermost.plugin-incident-management',
    'com.mattermost.plugin-todo',
    'com.mattermost.welcomebot',
    'github',
    'jira',
    'jitsi',
    'mattermost-autolink',
    'zoom',
    'com.example.notes',
    'com.example.standup',
    'com.example.reminders',
    'com.example.oncall',
    'com.example.feedback',
    'com.example.translate',
    'com.example.weather',
]
MODULE_PATH = {'MMOPS_MATTERMOST_IN_PROCESS': 'false'}
IN_PROCESS, MODULE, LOOP, URI = 'plugin_set in-process', 'plugin_set module path', 'plugin loop', 'uri'
# column: (playbook, environment)
COLUMNS = {IN_PROCESS: ('plugin_set.yml', {}), MODULE: ('plugin_set.yml', MODULE_PATH), LOOP: ('plugin_loop.yml', {}), URI: ('uri.yml', {})}
FORKS, DRIFT_FORKS = 10, 20
UPLOAD_BYTES = 100 * 1024 * 1024
GIB = 1 << 30
COMMAND = 'make bench'


def converged(server):
    """/__sim/reset's `installed`: every benchmark plugin at the version the server's Marketplace offers, enabled."""
    response = requests.get(
        server.url + '/api/v4/plugins/marketplace', params={'per_page': 100}, timeout=30, headers={'Authorization': 'Bearer ' + server.token}
    )
    response.raise_for_status()
    offered = dict((entry['manifest']['id'], entry['manifest']['version']) for entry in response.json())
    return [dict(id=plugin_id, version=offered[plugin_id], enabled=True) for plugin_id in PLUGINS]


def cpu_seconds(pid):
    """User + system CPU seconds a live process has used (/proc/PID/stat)."""
    with open('/proc/%d/stat' % pid) as handle:
        fields = handle.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def tree_memory(pids):
    """(RSS, PSS) in bytes summed over `pids` (/proc/PID/smaps_rollup); PSS splits the pages forks share."""
    rss = pss = 0
    for pid in pids:
        try:
            with open('/proc/%d/smaps_rollup' % pid) as handle:
                for line in handle:
                    if line.startswith('Rss:'):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith('Pss:'):
                        pss += int(line.split()[1]) * 1024
        except OSError:  # ended between listing and reading
            continue
    return rss, pss


class MemorySampler(threading.Thread):
    """Peak summed RSS and PSS of this process's descendants but the simulator: the controller's processes.

    Also the CPU seconds of ansible-playbook's own process (the strategy: one thread for every host's results), last
    seen: when it nears the wall time, that process, not the forks, sets the pace.
    """

    def __init__(self, simulator_pid):
        super().__init__(daemon=True)
        self.simulator_pid = simulator_pid
        self.stopped = threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.main_cpu = 0.0

    def run(self):
        while not self.stopped.wait(0.25):
            pids = [pid for pid in process_tree(os.getpid())[1:] if pid != self.simulator_pid]
            rss, pss = tree_memory(pids)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            try:
                self.main_cpu = cpu_seconds(pids[0])
            except (OSError, IndexError):  # not started yet, or ended
                continue

    def stop(self):
        self.stopped.set()
        self.join()


class Measure:
    """One ansible-playbook run: wall and CPU seconds (its waited-for process tree's rusage), the simulator's CPU."""

    def __init__(self, wall, cpu, simulator_cpu, servers, load, sampler=None):
        self.wall, self.cpu, self.simulator_cpu, self.servers = wall, cpu, simulator_cpu, servers
        # The 1-minute load average at the end: other jobs on the machine stretch the wall time, not the CPU seconds.
        self.load = load
        self.peak_rss, self.peak_pss = (sampler.peak_rss, sampler.peak_pss) if sampler else (0, 0)
        self.main_cpu = sampler.main_cpu if sampler else 0.0

    def scaled_wall(self, servers):
        """The wall time per server times `servers`: a CPU-bound run on saturated cores grows linearly."""
        return self.wall * servers / self.servers

    @property
    def simulator_share(self):
        return self.simulator_cpu / (self.simulator_cpu + self.cpu)

    @property
    def machine_share(self):
        """The share of the machine's cores this run (controller and simulator) got."""
        return (self.cpu + self.simulator_cpu) / (self.wall * os.cpu_count())


def run(simulator, playbook, servers, inventory, variables=None, env=None, forks=FORKS, sample_memory=False):
    """Measure one ansible-playbook run; a failed run stops the benchmark.

    With pipelining (one process per task run instead of several), as anyone who times Ansible sets it.
    """
    sampler = MemorySampler(simulator.process.pid) if sample_memory else None
    if sampler:
        sampler.start()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    simulator_cpu = cpu_seconds(simulator.process.pid)
    started = time.time()
    result = run_playbook(
        playbook,
        dict({'bench_plugins': [dict(id=i, enabled=True) for i in PLUGINS]}, **(variables or {})),
        inventory=inventory,
        args=('--forks', str(forks)),
        json_output=False,
        env=dict({'ANSIBLE_PIPELINING': '1'}, **(env or {})),
        timeout=3600,
    )
    wall = time.time() - started
    simulator_cpu = cpu_seconds(simulator.process.pid) - simulator_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if sampler:
        sampler.stop()
    if result.rc != 0:
        sys.exit('%s failed (rc %s):\n%s' % (playbook, result.rc, result.output[-4000:]))
    cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return Measure(wall, cpu, simulator_cpu, servers, os.getloadavg()[0], sampler)


def check_converged(servers):
    for server in servers:
        plugins = server.state()['plugins']
        missing = [i for i in PLUGINS if i not in plugins or not plugins[i]['enabled']]
        if missing:
            sys.exit('%s: not installed and enabled after the run: %s' % (server.url, ', '.join(missing)))


def no_writes(servers):
    writes = sum(len(server.writes()) for server in servers)
    if writes:
        sys.exit('a no-op run sent %d writes' % writes)


def progress(label):
    print('  %-58s ...' % label, end=' ', flush=True)


def done(measure):
    print('%.1f s wall, %.1f CPU s' % (measure.wall, measure.cpu), flush=True)
    return measure


def request_counts(simulator, server, workdir, installed):
    """HTTP requests (to the server and its Marketplace) of a no-op converge of one server, per column."""
    inventory = fleet_inventory(pathlib.Path(workdir, 'one.json'), [server])
    counts = {}
    for column, (playbook, env) in COLUMNS.items():
        server.reset(installed=installed)
        run(simulator, os.path.join(PLAYBOOKS, playbook), 1, inventory, env=env)
        no_writes([server])
        counts[column] = len(server.requests())
    return counts


def fleet_times(simulator, servers, workdir, installed, sizes):
    """{column: {case: Measure}} for 50 servers; `sizes` caps a column's case to fewer servers (scaled later)."""
    times = {}
    for column, (playbook, env) in COLUMNS.items():
        times[column] = {}
        for case in ('no-op', 'all-changed'):
            fleet = servers[: sizes.get((column, case), len(servers))]
            inventory = fleet_inventory(pathlib.Path(workdir, 'fleet-%d.json' % len(fleet)), fleet)
            for server in fleet:
                server.reset(installed=installed if case == 'no-op' else [])
            progress('%s, %s, %d servers' % (column, case, len(fleet)))
            times[column][case] = done(run(simulator, os.path.join(PLAYBOOKS, playbook), len(fleet), inventory, env=env))
            (no_writes if case == 'no-op' else check_converged)(fleet)
    fleet = fleet_inventory(pathlib.Path(workdir, 'fleet-%d.json' % len(servers)), servers)
    progress('floor: one ansible.builtin.debug task, %d servers' % len(servers))
    times['floor'] = done(run(simulator, os.path.join(PLAYBOOKS, 'floor.yml'), len(servers), fleet))
    return times


def drift(simulator, servers, workdir, installed, env):
    """drift.yml over `servers`, every tenth of which has its first plugin disabled; checks the report."""
    for index, server in enumerate(servers):
        server.reset(installed=[dict(plugin, enabled=False) if index % 10 == 0 and position == 0 else plugin for position, plugin in enumerate(installed)])
    # The inventory is the simulator's fleet (its state file: each server's URL and token).
    inventory = fleet_inventory(pathlib.Path(workdir, 'drift-%d.json' % len(servers)), servers)
    report_dir = os.path.join(workdir, 'drift-%d' % len(servers))
    measure = run(
        simulator,
        DRIFT,
        len(servers),
        inventory,
        env=env,
        forks=DRIFT_FORKS,
        sample_memory=True,
        variables={'mattermost_plugins': installed, 'mattermost_drift_dir': report_dir},
    )
    with open(os.path.join(report_dir, 'drift.json')) as handle:
        report = json.load(handle)
    if len(report['drifted']) != (len(servers) + 9) // 10 or report['errors']:
        sys.exit('drift.yml reported %d drifted (expected %d) and errors %s' % (len(report['drifted']), (len(servers) + 9) // 10, report['errors'][:5]))
    return measure


class RandomBytes:
    """A file-like source of incompressible bytes, so the gzipped bundle is as large as its content."""

    @staticmethod
    def read(size):
        return os.urandom(size)


def large_bundle(directory, plugin_id):
    """A valid plugin bundle of UPLOAD_BYTES (gzip cannot shrink random bytes)."""
    path = os.path.join(directory, 'large.tar.gz')
    manifest = json.dumps(
        dict(id=plugin_id, name='Large', version='1.0.0', server=dict(executables={'linux-amd64': 'server/dist/plugin-linux-amd64'}))
    ).encode()
    with tarfile.open(path, 'w:gz', compresslevel=1) as archive:
        for name, size, content in (('plugin.json', len(manifest), io.BytesIO(manifest)), ('server/dist/plugin-linux-amd64', UPLOAD_BYTES, RandomBytes())):
            info = tarfile.TarInfo(name)
            info.size, info.mode = size, 0o755
            archive.addfile(info, content)
    return path


def module_peak_rss(args_path):
    """Peak resident memory (MiB) of one run of the plugin module, and its result.

    The module runs as its own process, `python -m ansible_collections.mmops.mattermost.plugins.modules.plugin
    ARGS_FILE`: the code AnsiballZ runs once it has unpacked itself, without the controller, so the number is the
    module's own. os.wait4 returns the resource usage of exactly that child; ru_maxrss is its peak RSS in KiB
    (Linux). Comparing an upload with a no-op run of the same task isolates what the upload costs.
    """
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, '-m', 'ansible_collections.mmops.mattermost.plugins.modules.plugin', args_path],
            env=dict(os.environ, PYTHONPATH=collections_path()),
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        output = process.stdout.read()
        process.stdout.close()
        status, usage = os.wait4(process.pid, 0)[1:]
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        result = json.loads(output or b'{}')
        if process.returncode != 0 or result.get('failed'):
            sys.exit('the plugin module failed: %s %s' % (output[-2000:], errors.read()[-2000:]))
    return usage.ru_maxrss / 1024.0, result


def upload_memory(server, workdir):
    """(idle MiB, upload MiB): the plugin module uploading a 100 MiB bundle, then the same task again (a no-op)."""
    plugin_id = 'com.example.large'
    # Room for the bundle: Mattermost refuses bodies over FileSettings.MaxFileSize.
    server.reset(config={'FileSettings': {'MaxFileSize': 2 * UPLOAD_BYTES}})
    args_path = os.path.join(workdir, 'upload-args.json')
    with open(args_path, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': dict(id=plugin_id, source='file', src=large_bundle(workdir, plugin_id), url=server.url, token=server.token)}, handle)
    upload, first = module_peak_rss(args_path)
    idle, second = module_peak_rss(args_path)
    if not first.get('changed') or second.get('changed'):
        sys.exit('expected an upload, then a no-op: %s / %s' % (first.get('actions'), second.get('actions')))
    return idle, upload


def verdict(met):
    return 'yes' if met else '**no**'


def mib(size):
    return '%.0f MiB' % (size / (1 << 20))


def table(args, counts, times, idle, upload, drifts):
    """The Markdown table and the notes under it: what was scaled, and the measured reason of each missed target."""
    servers = args.servers
    walls = dict((case, dict((column, times[column][case].scaled_wall(servers)) for column in COLUMNS)) for case in ('no-op', 'all-changed'))
    ratios = dict((case, dict((column, walls[case][column] / walls[case][URI]) for column in COLUMNS)) for case in walls)
    in_process, module, drift_floor = drifts[IN_PROCESS], drifts[MODULE], drifts['floor']
    drift_wall = dict((column, drifts[column].scaled_wall(args.drift_servers)) for column in drifts)

    def fleet_cells(case):
        return ['%.2f (%.0f s)' % (ratios[case][column], walls[case][column]) for column in COLUMNS]

    def drift_cells(cell):
        return [cell(in_process), cell(module), '', '']

    rows = [
        ['no-op requests, 1 server x 20 plugins']
        + [str(counts[column]) for column in COLUMNS]
        + ['plugin_set <= 3', verdict(max(counts[IN_PROCESS], counts[MODULE]) <= 3)],
        ['no-op wall time, %d servers x 20 plugins, forks %d (x uri)' % (servers, FORKS)]
        + fleet_cells('no-op')
        + ['plugin_set in-process <= 0.1 x uri', verdict(ratios['no-op'][IN_PROCESS] <= 0.1)],
        ['all-changed wall time, same fleet (x uri)']
        + fleet_cells('all-changed')
        + ['plugin_set in-process <= 0.1 x uri', verdict(ratios['all-changed'][IN_PROCESS] <= 0.1)],
        ['drift.yml wall time, %d servers x 20 plugins, forks %d' % (args.drift_servers, DRIFT_FORKS)]
        + ['%.0f s' % drift_wall[IN_PROCESS], '%.0f s' % drift_wall[MODULE], '', '']
        + ['in-process <= 60 s', verdict(drift_wall[IN_PROCESS] <= 60)],
        ['drift.yml CPU seconds per server (controller)'] + drift_cells(lambda measure: '%.2f' % (measure.cpu / measure.servers)) + ['', ''],
        ['drift.yml peak controller memory, PSS (RSS)']
        + drift_cells(lambda measure: '%s (%s)' % (mib(measure.peak_pss), mib(measure.peak_rss)))
        + ['in-process <= 2 GiB', verdict(in_process.peak_pss <= 2 * GIB)],
        ["drift.yml: the simulator's share of all CPU"] + drift_cells(lambda measure: '%.0f %%' % (100 * measure.simulator_share)) + ['', ''],
        [
            '100 MiB upload (plugin module, source=file): peak RSS above a no-op run',
            '',
            '',
            '%+.0f MiB (%.0f vs %.0f)' % (round(upload - idle) or 0, upload, idle),
            '',
            '<= 64 MB above idle',
            verdict(upload - idle <= 64),
        ],
    ]
    columns = [IN_PROCESS, MODULE, '%s (%d servers)' % (LOOP, args.loop_servers), URI]
    lines = ['| measure | %s | target | met |' % ' | '.join(columns), '|---|---|---|---|---|---|---|']
    lines += ['| %s |' % ' | '.join(row) for row in rows]
    notes = [
        '',
        'Load average at the end of the %d-server runs: %s; of the drift runs: %s.'
        % (
            servers,
            ', '.join('%.1f' % times[column][case].load for column in COLUMNS for case in ('no-op', 'all-changed')),
            ', '.join('%.1f' % drifts[column].load for column in (IN_PROCESS, MODULE)),
        ),
        'Scaled per server (CPU-bound on saturated cores): the plugin loop from %d servers, the uri all-changed '
        "run from %d servers, the module path's drift.yml from %d servers." % (args.loop_servers, args.uri_changed_servers, module.servers),
    ]
    floor = times['floor']
    for case in ('no-op', 'all-changed'):
        if ratios[case][IN_PROCESS] > 0.1:
            notes.append(
                'Missed, %s: plugin_set in-process %.1f s (%.1f CPU s) vs uri %.0f s; a do-nothing ansible.builtin.debug task '
                "on the same %d servers alone takes %.1f s (%.2f x uri): Ansible's own start and per-task cost, which "
                'no task goes under, leaves plugin_set %.1f s (%.2f x uri) above it.'
                % (
                    case,
                    walls[case][IN_PROCESS],
                    times[IN_PROCESS][case].cpu,
                    walls[case][URI],
                    servers,
                    floor.wall,
                    floor.wall / walls[case][URI],
                    walls[case][IN_PROCESS] - floor.wall,
                    (walls[case][IN_PROCESS] - floor.wall) / walls[case][URI],
                )
            )
    if drift_wall[IN_PROCESS] > 60:
        notes.append(
            "Missed, drift wall: %.0f CPU s on the controller (%.0f of them in ansible-playbook's own process) and %.0f CPU s "
            'in the simulator (%.0f %%) are %.0f s of work on %d free cores; the run got %.0f %% of the cores (load average '
            '%.1f at its end: other jobs).'
            % (
                in_process.cpu,
                in_process.main_cpu,
                in_process.simulator_cpu,
                100 * in_process.simulator_share,
                (in_process.cpu + in_process.simulator_cpu) / os.cpu_count(),
                os.cpu_count(),
                100 * in_process.machine_share,
                in_process.load,
            )
        )
    notes.append(
        "Ansible's own floor, a do-nothing ansible.builtin.debug task over the same %d servers, forks %d: %.0f s wall, "
        "%.0f CPU s (%.0f in ansible-playbook's own process), peak controller memory %s PSS (%s RSS)."
        % (args.drift_servers, DRIFT_FORKS, drift_floor.wall, drift_floor.cpu, drift_floor.main_cpu, mib(drift_floor.peak_pss), mib(drift_floor.peak_rss))
    )
    if in_process.peak_pss > 2 * GIB:
        notes.append('Missed, drift memory: %s PSS summed over ansible-playbook and its %d forks.' % (mib(in_process.peak_pss), DRIFT_FORKS))
    return '\n'.join(lines + notes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--servers', type=int, default=50, help='fleet size for the wall times (default 50)')
    parser.add_argument('--loop-servers', type=int, default=5, help="servers of the plugin loop's runs, scaled (default 5)")
    parser.add_argument('--uri-changed-servers', type=int, default=10, help="servers of the uri playbook's all-changed run, scaled (default 10)")
    parser.add_argument('--drift-servers', type=int, default=1000, help='servers of drift.yml in-process (default 1000)')
    parser.add_argument('--module-drift-servers', type=int, default=100, help='servers of drift.yml on the module path, scaled (default 100)')
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix='mmops-bench-')
    started = time.time()
    simulator = Simulator(workdir, '--servers', str(max(args.servers, args.drift_servers)))
    try:
        servers = [simulator.server(index) for index in range(len(simulator.fleet))]
        installed = converged(servers[0])
        print('(a) requests of a no-op converge, 1 server ...', flush=True)
        counts = request_counts(simulator, servers[0], workdir, installed)
        print('(d) plugin module uploading a %d MiB bundle ...' % (UPLOAD_BYTES >> 20), flush=True)
        idle, upload = upload_memory(servers[0], workdir)
        print('(b) wall times, %d servers x %d plugins, forks %d:' % (args.servers, len(PLUGINS), FORKS), flush=True)
        sizes = {(LOOP, 'no-op'): args.loop_servers, (LOOP, 'all-changed'): args.loop_servers, (URI, 'all-changed'): args.uri_changed_servers}
        times = fleet_times(simulator, servers[: args.servers], workdir, installed, sizes)
        print('(c) drift.yml, forks %d:' % DRIFT_FORKS, flush=True)
        drifts = {}
        for column, count, env in ((IN_PROCESS, args.drift_servers, {}), (MODULE, args.module_drift_servers, MODULE_PATH)):
            progress('%s, %d servers' % (column, count))
            drifts[column] = done(drift(simulator, servers[:count], workdir, installed, env))
        progress('floor: one ansible.builtin.debug task, %d servers' % args.drift_servers)
        drifts['floor'] = done(
            run(
                simulator,
                os.path.join(PLAYBOOKS, 'floor.yml'),
                args.drift_servers,
                fleet_inventory(pathlib.Path(workdir, 'floor.json'), servers[: args.drift_servers]),
                forks=DRIFT_FORKS,
                sample_memory=True,
            )
        )
    finally:
        simulator.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print('\n%s\n' % table(args, counts, times, idle, upload, drifts))
    print(
        '%d CPUs, Python %s, %s, %.0f s in all. Reproduce: %s'
        % (os.cpu_count(), sys.version.split()[0], time.strftime('%Y-%m-%d'), time.time() - started, COMMAND)
    )


if __name__ == '__main__':
    main()
