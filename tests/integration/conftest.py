# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: the simulator as a real process, and real ansible-playbook runs against it."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import sys

import pytest
import trustme

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
# Re-exported: the test modules import the playbook runners from `conftest`.
from support.playbooks import (REPO, WRITE_METHODS, collections_path, fleet_inventory, kill_tree,  # noqa: E402,F401 pylint: disable=unused-import
                               plugin_task, run_playbook, run_tasks, PlaybookRun)
from support.simulator import Simulator  # noqa: E402


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
