# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: the simulator as a real process, and real ansible-playbook runs against it."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
import requests
import trustme

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BIN = os.path.dirname(sys.executable)
WRITE_METHODS = ('POST', 'PUT', 'PATCH', 'DELETE')
CALLBACKS = os.path.join(os.path.dirname(__file__), 'callback_plugins')


def collections_path():
    """A collections tree in which mmops.mattermost is this source tree."""
    root = os.path.join(REPO, '.build', 'collections')
    link = os.path.join(root, 'ansible_collections', 'mmops', 'mattermost')
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)
    return root


class Simulator:
    """One simulator process, driven through its /__sim control API."""

    def __init__(self, workdir, *args):
        state_file = os.path.join(str(workdir), 'sim-state.json')
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, 'tests', 'simulator'))
        # What the simulator logs (its stderr): the server side of a run, which must never show a secret either.
        self.log = os.path.join(str(workdir), 'sim.log')
        self.process = subprocess.Popen([sys.executable, '-m', 'mmsim', '--port', '0', '--state-file', state_file] + list(args),
                                        env=env, stdout=subprocess.DEVNULL, stderr=open(self.log, 'w'))
        deadline = time.time() + 30
        while not os.path.exists(state_file):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError('the simulator did not start; see %s' % os.path.join(str(workdir), 'sim.log'))
            time.sleep(0.05)
        with open(state_file) as handle:
            state = json.load(handle)
        self.url = state['url']
        self.marketplace_url = state['marketplace_url']
        self.token = state['token']
        self.verify = True
        self.fleet = state['servers']

    def server(self, index):
        """The same controls for server `index` of a fleet simulator (--servers N)."""
        other = copy.copy(self)
        other.url, other.token = self.fleet[index]['url'], self.fleet[index]['token']
        return other

    def control(self, method, path, body=None):
        response = requests.request(method, self.url + '/__sim/' + path, json=body, timeout=10, verify=self.verify)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self, **overrides):
        self.control('POST', 'reset', overrides)

    def requests(self):
        return self.control('GET', 'requests')

    def writes(self):
        return [r for r in self.requests() if r['service'] == 'server' and r['method'] in WRITE_METHODS]

    def state(self):
        return self.control('GET', 'state')

    def plugin(self, plugin_id):
        return self.state()['plugins'].get(plugin_id)

    def fault(self, **rule):
        self.control('POST', 'faults', rule)

    def bundle_url(self, plugin_id, version):
        return '%s/bundles/%s-%s.tar.gz' % (self.marketplace_url, plugin_id, version)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope='session')
def sim_process(tmp_path_factory):
    simulator = Simulator(tmp_path_factory.mktemp('sim'))
    yield simulator
    simulator.stop()


@pytest.fixture
def sim(sim_process):
    """The shared simulator, reset to the default scenario for each test."""
    sim_process.reset()
    return sim_process


class PlaybookRun:
    def __init__(self, completed):
        self.rc = completed.returncode
        self.output = completed.stdout + completed.stderr
        self.stats = {}
        self.results = {}
        # Every host's: stats_by_host[host], results_by_host[task name][host].
        self.stats_by_host = {}
        self.results_by_host = {}
        try:
            document = json.loads(completed.stdout)
        except ValueError:
            return
        self.stats_by_host = document.get('stats', {})
        self.stats = self.stats_by_host.get('localhost', {})
        for play in document.get('plays', []):
            for task in play.get('tasks', []):
                self.results[task['task']['name']] = task['hosts'].get('localhost', {})
                self.results_by_host.setdefault(task['task']['name'], {}).update(task['hosts'])

    @property
    def changed(self):
        return self.stats.get('changed', 0)


def run_tasks(tmp_path, tasks, sim=None, extra_vars=None, args=(), env=None, json_output=True, connection_defaults=True):
    """Run `tasks` as a localhost playbook with ansible-playbook; the connection points at `sim`."""
    play = dict(hosts='localhost', gather_facts=False, tasks=tasks)
    variables = dict(extra_vars or {})
    if sim is not None and connection_defaults:
        play['module_defaults'] = {'group/mmops.mattermost.api': {'url': '{{ mm_url }}', 'token': '{{ mm_token }}'}}
        variables.update(mm_url=sim.url, mm_token=sim.token)
    playbook = os.path.join(str(tmp_path), 'playbook-%d.yml' % len(os.listdir(str(tmp_path))))
    with open(playbook, 'w') as handle:
        json.dump([play], handle)
    return run_playbook(playbook, variables, args=args, env=env, json_output=json_output)


def kill_tree(pid):
    """SIGKILL a process and all its descendants (Linux /proc). ansible-playbook's workers start sessions of their
    own, so killing its process group would leave them, and the modules they run, behind."""
    children = {}
    for entry in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/stat' % entry) as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    tree, index = [pid], 0
    while index < len(tree):
        tree += children.get(tree[index], [])
        index += 1
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except OSError:
            pass


def run_playbook(playbook, variables, inventory='localhost,', args=(), env=None, json_output=True, timeout=600):
    """ansible-playbook `playbook` with this collection; hosts of `inventory` other than localhost need their own connection."""
    run_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_RETRY_FILES_ENABLED='0',
                   PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    if json_output:
        run_env.update(ANSIBLE_STDOUT_CALLBACK='results_json', ANSIBLE_CALLBACK_PLUGINS=CALLBACKS)
    # Downloaded bundles are cached per test process, not in the user's ~/.cache.
    run_env.setdefault('MMOPS_MATTERMOST_BUNDLE_CACHE', os.path.join(tempfile.gettempdir(), 'mmops-test-bundles-%d' % os.getpid()))
    run_env.update(env or {})
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '-c', 'local', playbook,
               '-e', json.dumps(variables)] + list(args)
    with subprocess.Popen(command, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(process.pid)
            process.communicate()
            raise
    return PlaybookRun(subprocess.CompletedProcess(command, process.returncode, stdout, stderr))


def plugin_task(name, register_errors=True, **args):
    """A task calling mmops.mattermost.plugin; failures are kept (ignore_errors) so tests can read the message."""
    task = {'name': name, 'mmops.mattermost.plugin': args}
    if register_errors:
        task['ignore_errors'] = True
    return task


@pytest.fixture(scope='session')
def tls_sim(tmp_path_factory):
    """A simulator serving its API over https with a certificate of a private CA (ca_file), unknown to the system."""
    workdir = tmp_path_factory.mktemp('tls')
    authority = trustme.CA()
    certificate = authority.issue_cert('127.0.0.1', 'localhost')
    ca_file, cert_file, key_file = (str(workdir / name) for name in ('ca.pem', 'cert.pem', 'key.pem'))
    authority.cert_pem.write_to_path(ca_file)
    certificate.cert_chain_pems[0].write_to_path(cert_file)
    certificate.private_key_pem.write_to_path(key_file)
    simulator = Simulator(workdir, '--tls-cert', cert_file, '--tls-key', key_file)
    simulator.verify = ca_file
    simulator.ca_file = ca_file
    simulator.cert_file = cert_file
    yield simulator
    simulator.stop()


@pytest.fixture(scope='session')
def fleet_process(tmp_path_factory):
    simulator = Simulator(tmp_path_factory.mktemp('fleet'), '--servers', '3')
    yield simulator
    simulator.stop()


@pytest.fixture
def fleet(fleet_process):
    """Three independent simulated servers sharing one Marketplace, each reset to the default scenario."""
    servers = [fleet_process.server(index) for index in range(len(fleet_process.fleet))]
    for server in servers:
        server.reset()
    return servers


def fleet_inventory(path, servers, names=None, **extra_hosts):
    """A JSON inventory whose group mattermost holds one local host per server, named `names` (default server0, ...),
    in that order (serial batches follow it), plus `extra_hosts`: name -> vars."""
    names = names or ['server%d' % index for index in range(len(servers))]
    hosts = dict((name, {'mattermost_url': server.url, 'mattermost_token': server.token}) for name, server in zip(names, servers))
    hosts.update(extra_hosts)
    for host_vars in hosts.values():
        host_vars.update(ansible_connection='local')
    path.write_text(json.dumps({'mattermost': {'hosts': hosts}}))
    return str(path)
