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
import time

import pytest
import requests
import trustme

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
# Re-exported: the test modules import the playbook runners from `conftest`.
from support.playbooks import (REPO, WRITE_METHODS, collections_path, fleet_inventory, kill_tree,  # noqa: E402,F401
                               plugin_task, run_playbook, run_tasks, PlaybookRun)


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
