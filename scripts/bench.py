#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""make bench: what converging plugins costs, against the simulator, printed as one Markdown table.

(a) HTTP requests of a no-op converge of 20 plugins on one server, (b) wall time of converging 50 servers x
20 plugins (forks 10), no-op and all-changed, as ratios to a plain ansible.builtin.uri playbook timed in the
same run, for plugin_set, a loop of the plugin module and that uri playbook (scripts/bench/*.yml), and (c) the
plugin module's peak memory uploading a 100 MiB bundle. Each case runs once: a benchmark, not a test, so the
targets are printed and judged, never asserted.
"""

import argparse
import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import requests

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
PLAYBOOKS = os.path.join(REPO, 'scripts', 'bench')
sys.path.insert(0, os.path.join(REPO, 'tests', 'integration'))
# The integration tests' harness: the simulator process, fleet inventories, ansible-playbook runs.
from conftest import Simulator, collections_path, fleet_inventory, run_playbook  # noqa: E402 pylint: disable=wrong-import-position

# 20 plugins the simulator's Marketplace offers to its Mattermost 9.11 (the 14 real installable ones plus fillers).
PLUGINS = ['antivirus', 'com.github.jespino.recommend', 'com.github.matterpoll.matterpoll',
           'com.github.phillipahereza.mattermost-plugin-digitalocean', 'com.mattermost.agenda',
           'com.mattermost.plugin-incident-management', 'com.mattermost.plugin-todo', 'com.mattermost.welcomebot',
           'github', 'jira', 'jitsi', 'mattermost-autolink', 'zoom', 'com.example.notes', 'com.example.standup',
           'com.example.reminders', 'com.example.oncall', 'com.example.feedback', 'com.example.translate',
           'com.example.weather']
TOOLS = (('plugin_set', 'plugin_set.yml'), ('plugin loop', 'plugin_loop.yml'), ('uri playbook', 'uri.yml'))
TOOL_NAMES = [tool for tool, playbook in TOOLS]
FORKS = 10
UPLOAD_BYTES = 100 * 1024 * 1024
COMMAND = 'make bench'


def converged(server):
    """/__sim/reset's `installed`: every benchmark plugin at the version the server's Marketplace offers, enabled."""
    response = requests.get(server.url + '/api/v4/plugins/marketplace', params={'per_page': 100}, timeout=30,
                            headers={'Authorization': 'Bearer ' + server.token})
    response.raise_for_status()
    offered = dict((entry['manifest']['id'], entry['manifest']['version']) for entry in response.json())
    return [dict(id=plugin_id, version=offered[plugin_id], enabled=True) for plugin_id in PLUGINS]


def converge(playbook, inventory):
    """Seconds one ansible-playbook run takes; a failed run stops the benchmark.

    With pipelining (one process per task run instead of several), as anyone who times Ansible sets it.
    """
    started = time.time()
    run = run_playbook(os.path.join(PLAYBOOKS, playbook), {'bench_plugins': [dict(id=i, enabled=True) for i in PLUGINS]},
                       inventory=inventory, args=('--forks', str(FORKS)), json_output=False,
                       env={'ANSIBLE_PIPELINING': '1'}, timeout=3600)
    elapsed = time.time() - started
    if run.rc != 0:
        sys.exit('%s failed (rc %s):\n%s' % (playbook, run.rc, run.output[-4000:]))
    return elapsed


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


def fleet_times(servers, inventory, installed):
    """{tool: {'no-op': seconds, 'all-changed': seconds}}; all-changed starts from empty servers."""
    times = {}
    for tool, playbook in TOOLS:
        times[tool] = {}
        for case in ('no-op', 'all-changed'):
            for server in servers:
                server.reset(installed=installed if case == 'no-op' else [])
            print('  %-12s %-11s ...' % (tool, case), end=' ', flush=True)
            times[tool][case] = converge(playbook, inventory)
            print('%.1f s' % times[tool][case], flush=True)
            (no_writes if case == 'no-op' else check_converged)(servers)
    return times


class RandomBytes:
    """A file-like source of incompressible bytes, so the gzipped bundle is as large as its content."""

    @staticmethod
    def read(size):
        return os.urandom(size)


def large_bundle(directory, plugin_id):
    """A valid plugin bundle of UPLOAD_BYTES (gzip cannot shrink random bytes)."""
    path = os.path.join(directory, 'large.tar.gz')
    manifest = json.dumps(dict(id=plugin_id, name='Large', version='1.0.0',
                               server=dict(executables={'linux-amd64': 'server/dist/plugin-linux-amd64'}))).encode()
    with tarfile.open(path, 'w:gz', compresslevel=1) as archive:
        for name, size, content in (('plugin.json', len(manifest), io.BytesIO(manifest)),
                                    ('server/dist/plugin-linux-amd64', UPLOAD_BYTES, RandomBytes())):
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
        process = subprocess.Popen([sys.executable, '-m', 'ansible_collections.mmops.mattermost.plugins.modules.plugin', args_path],
                                   env=dict(os.environ, PYTHONPATH=collections_path()), stdout=subprocess.PIPE, stderr=errors)
        output = process.stdout.read()
        process.stdout.close()
        status, usage = os.wait4(process.pid, 0)[1:]
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        result = json.loads(output or b'{}')
        if process.returncode != 0 or result.get('failed'):
            sys.exit('the plugin module failed: %s %s' % (output[-2000:], errors.read()[-2000:]))
    return usage.ru_maxrss / 1024.0, result


def request_counts(server, inventory, installed):
    """HTTP requests (to the server and its Marketplace) of a no-op converge of one server, per tool."""
    counts = {}
    for tool, playbook in TOOLS:
        server.reset(installed=installed)
        converge(playbook, inventory)
        no_writes([server])
        counts[tool] = len(server.requests())
    return counts


def upload_memory(server, workdir):
    """(idle MiB, upload MiB): the plugin module uploading a 100 MiB bundle, then the same task again (a no-op)."""
    plugin_id = 'com.example.large'
    # Room for the bundle: Mattermost refuses bodies over FileSettings.MaxFileSize.
    server.reset(config={'FileSettings': {'MaxFileSize': 2 * UPLOAD_BYTES}})
    args_path = os.path.join(workdir, 'upload-args.json')
    with open(args_path, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': dict(id=plugin_id, source='file', src=large_bundle(workdir, plugin_id),
                                               url=server.url, token=server.token)}, handle)
    upload, first = module_peak_rss(args_path)
    idle, second = module_peak_rss(args_path)
    if not first.get('changed') or second.get('changed'):
        sys.exit('expected an upload, then a no-op: %s / %s' % (first.get('actions'), second.get('actions')))
    return idle, upload


def verdict(met):
    return 'yes' if met else '**no**'


def table(servers, counts, times, idle, upload):
    ratios = dict((case, dict((tool, times[tool][case] / times['uri playbook'][case]) for tool in TOOL_NAMES))
                  for case in ('no-op', 'all-changed'))

    def cells(case):
        return ['%.2f (%.0f s)' % (ratios[case][tool], times[tool][case]) for tool in TOOL_NAMES]

    rows = [
        ['no-op requests, 1 server x 20 plugins'] + [str(counts[tool]) for tool in TOOL_NAMES]
        + ['plugin_set <= 3', verdict(counts['plugin_set'] <= 3)],
        ['no-op wall time, %d servers x 20 plugins, forks %d (x uri)' % (len(servers), FORKS)] + cells('no-op')
        + ['plugin_set <= 0.3 x uri', verdict(ratios['no-op']['plugin_set'] <= 0.3)],
        ['all-changed wall time, same fleet (x uri)'] + cells('all-changed')
        + ['plugin_set <= 0.5 x uri', verdict(ratios['all-changed']['plugin_set'] <= 0.5)],
        ['100 MiB upload (plugin, source=file): peak RSS above a no-op run', '', '+%.0f MiB (%.0f vs %.0f)' % (upload - idle, upload, idle),
         '', '<= 64 MB above idle', verdict(upload - idle <= 64)],
    ]
    lines = ['| measure | plugin_set | plugin loop | uri playbook | target | met |', '|---|---|---|---|---|---|']
    lines += ['| %s |' % ' | '.join(row) for row in rows]
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--servers', type=int, default=50, help='fleet size for the wall times (default 50)')
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix='mmops-bench-')
    simulator = Simulator(workdir, '--servers', str(args.servers))
    try:
        servers = [simulator.server(index) for index in range(args.servers)]
        installed = converged(servers[0])
        print('(a) requests of a no-op converge, 1 server ...', flush=True)
        counts = request_counts(servers[0], fleet_inventory(pathlib.Path(workdir, 'one.json'), servers[:1]), installed)
        print('(c) plugin module uploading a %d MiB bundle ...' % (UPLOAD_BYTES >> 20), flush=True)
        idle, upload = upload_memory(servers[0], workdir)
        print('(b) wall times, %d servers x %d plugins, forks %d:' % (len(servers), len(PLUGINS), FORKS), flush=True)
        times = fleet_times(servers, fleet_inventory(pathlib.Path(workdir, 'fleet.json'), servers), installed)
    finally:
        simulator.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print('\n%s\n' % table(servers, counts, times, idle, upload))
    print('%d CPUs, Python %s, %s. Reproduce: %s' % (os.cpu_count(), sys.version.split()[0], time.strftime('%Y-%m-%d'), COMMAND))


if __name__ == '__main__':
    main()
