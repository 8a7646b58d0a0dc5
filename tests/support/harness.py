# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The helpers and fixtures the integration and reliability suites share: the one module test modules import them from.

The fixtures reach the tests through each suite's conftest.py, which imports them from here.
"""

import ast
import json
import os
import shutil
import subprocess

import pytest
import requests
import trustme
import yaml

from support import postgres
from support.playbooks import REPO, run_tasks
from support.simulator import Simulator

NOTES = 'com.example.notes'
SERVICE_WORKDIR_FILES = os.path.join(REPO, 'extensions', 'molecule', 'service_workdir', 'files')


# The simulator, as a real process.


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


def marketplace_requests(simulator):
    return [r for r in simulator.requests() if r['service'] == 'marketplace' and r['path'] == '/api/v1/plugins']


def fetch_bundle(sim, tmp_path, plugin_id, version):
    path = tmp_path / ('%s-%s.tar.gz' % (plugin_id, version))
    response = requests.get(sim.bundle_url(plugin_id, version), timeout=10)
    response.raise_for_status()
    path.write_bytes(response.content)
    return path


def module_examples(name):
    with open(os.path.join(REPO, 'plugins', 'modules', name + '.py')) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == 'EXAMPLES':
            return yaml.safe_load(node.value.value)
    raise AssertionError('%s has no EXAMPLES' % name)


# Signing: keys, signatures and trusted keys.

PASSPHRASE = 'sesame-4f1c-open'


class Keys:
    """Two signing keys made by the signing_key module: `signer` (3072 bits, passphrase) and `other`."""

    def __init__(self, root):
        self.root = root
        self.home = os.path.join(root, 'gnupg')
        self.public = os.path.join(root, 'signer.asc')
        self.private = os.path.join(root, 'signer.private.asc')
        self.other_home = os.path.join(root, 'other-gnupg')
        self.other_public = os.path.join(root, 'other.asc')

    def stop_agents(self):
        for home in (self.home, self.other_home, self.short_home):
            subprocess.call(['gpgconf', '--homedir', home, '--kill', 'gpg-agent'])


def signing_key_task(title, **args):
    return {'name': title, 'mmops.mattermost.signing_key': args, 'ignore_errors': True}


def signature_task(title, **args):
    return {'name': title, 'mmops.mattermost.plugin_signature': args, 'ignore_errors': True}


def key_task(title, **args):
    return {'name': title, 'mmops.mattermost.plugin_key': args, 'ignore_errors': True}


@pytest.fixture(scope='session')
def keys(tmp_path_factory):
    """Keys made once per worker: generating RSA keys is the slowest step of the suites, so every test using them is
    marked xdist_group('keys') and runs on one worker (--dist loadgroup)."""
    root = tmp_path_factory.mktemp('keys')
    made = Keys(str(root))
    run = run_tasks(
        root,
        [
            signing_key_task(
                'signer',
                name_real='Example plugins',
                name_email='plugins@example.com',
                key_length=3072,
                gnupghome=made.home,
                passphrase=PASSPHRASE,
                public_key_path=made.public,
                private_key_path=made.private,
            ),
            signing_key_task(
                'other', name_real='Someone else', name_email='else@example.com', key_length=3072, gnupghome=made.other_home, public_key_path=made.other_public
            ),
        ],
    )
    assert run.rc == 0 and run.stats['failures'] == 0, run.output
    made.fingerprint = run.results['signer']['fingerprint']
    made.other_fingerprint = run.results['other']['fingerprint']
    # A 2048-bit key, made with gpg directly (signing_key refuses to), to be refused as a trusted key.
    made.short_home, made.short_public = os.path.join(made.root, 'short-gnupg'), os.path.join(made.root, 'short.asc')
    gpg = ['gpg', '--homedir', made.short_home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '']
    os.makedirs(made.short_home, mode=0o700)
    subprocess.run(gpg + ['--quick-gen-key', 'Short <short@example.com>', 'rsa2048', 'sign', 'never'], check=True, capture_output=True)
    with open(made.short_public, 'wb') as handle:
        handle.write(subprocess.run(gpg + ['--armor', '--export', 'short@example.com'], check=True, capture_output=True).stdout)
    yield made
    made.stop_agents()


def server_config(path):
    """A config.json as Mattermost writes it: four-space indents, no trailing newline, mode 0600."""
    defaults = os.path.join(os.path.dirname(__file__), '..', 'simulator', 'mmsim', 'data', 'plugin-settings-defaults.json')
    with open(defaults) as handle:
        config = dict(ServiceSettings={'SiteURL': 'https://chat.example.com'}, **json.load(handle))
    path.write_text(json.dumps(config, indent=4))
    path.chmod(0o600)
    return path


def trusted_names(path):
    return json.loads(path.read_text())['PluginSettings']['SignaturePublicKeyFiles']


# Roles run on a temporary host.


def uploads_vars(host, **overrides):
    """The plugin_uploads role's variables for a host root (its config.json, mmomni.yml and environment file)."""
    variables = dict(
        mattermost_config_path=str(host / 'config.json'),
        mattermost_omnibus_config_path=str(host / 'mmomni.yml'),
        mattermost_env_file=str(host / 'mattermost.env'),
        mattermost_restart_command=['touch', str(host / 'restarted')],
        mattermost_omnibus_reconfigure_command=['touch', str(host / 'reconfigured')],
        mattermost_wait_for_api=False,
    )
    variables.update(overrides)
    return variables


def mirror_role(sim, mirror_dir, base_url, plugins):
    return {
        'name': 'mirror',
        'ansible.builtin.include_role': {'name': 'mmops.mattermost.marketplace_mirror'},
        'vars': {
            'mattermost_mirror_plugins': plugins,
            'mattermost_mirror_source_url': sim.marketplace_url,
            'mattermost_mirror_dir': str(mirror_dir),
            'mattermost_mirror_base_url': base_url,
        },
    }


@pytest.fixture
def units(tmp_path):
    """A unit directory holding the official mattermost.service, its ExecStart pointing at a real executable."""
    install_dir = tmp_path / 'opt' / 'mattermost'
    (install_dir / 'bin').mkdir(parents=True)
    binary = install_dir / 'bin' / 'mattermost'
    binary.write_text('#!/bin/sh\n')
    binary.chmod(0o755)
    directory = tmp_path / 'systemd'
    directory.mkdir()
    with open(os.path.join(SERVICE_WORKDIR_FILES, 'mattermost.service')) as handle:
        unit = handle.read().replace('/opt/mattermost', str(install_dir))
    (directory / 'mattermost.service').write_text(unit)
    return directory, install_dir


def systemd_vars(tmp_path, units, **overrides):
    directory, install_dir = units
    variables = dict(
        mattermost_systemd_dir=str(directory),
        mattermost_install_dir=str(install_dir),
        mattermost_service_manager='systemd',
        mattermost_daemon_reload=False,
        mattermost_restart_command=['touch', str(tmp_path / 'restarted')],
    )
    variables.update(overrides)
    return variables


@pytest.fixture
def nssm(tmp_path):
    """The NSSM stand-in with one service, mattermost, whose AppDirectory is wrong."""
    directory = tmp_path / 'nssm'
    directory.mkdir()
    shutil.copy(os.path.join(SERVICE_WORKDIR_FILES, 'nssm'), str(directory / 'nssm'))
    (directory / 'nssm-mattermost.service').write_text('')
    (directory / 'nssm-mattermost.AppDirectory').write_text('C:\\Windows\\system32')
    return directory


def nssm_vars(nssm, **overrides):
    variables = dict(mattermost_service_manager='nssm', mattermost_nssm_command=str(nssm / 'nssm'), mattermost_install_dir='C:\\mattermost')
    variables.update(overrides)
    return variables


@pytest.fixture(scope='module')
def config_store():
    """A throw-away PostgreSQL cluster whose `mattermost` database holds the tables of Mattermost's database config store."""
    with postgres.running_cluster() as cluster:
        cluster.create_database('mattermost', postgres.CONFIG_STORE_SCHEMA)
        yield cluster


def prepare_host(root, settings, workdir, directories=('plugins', 'client/plugins')):
    """An install directory with config/config.json, the given plugin directories and a systemd unit."""
    install = root / 'opt' / 'mattermost'
    (install / 'config').mkdir(parents=True)
    (install / 'config' / 'config.json').write_text(json.dumps({'PluginSettings': settings}, indent=4))
    for directory in directories:
        (install / directory).mkdir(parents=True)
    systemd = root / 'etc' / 'systemd' / 'system'
    systemd.mkdir(parents=True)
    unit = '[Service]\nExecStart=%s/bin/mattermost\n' % install
    (systemd / 'mattermost.service').write_text(unit + ('WorkingDirectory=%s\n' % workdir if workdir else ''))
    return dict(
        mattermost_install_dir=str(install),
        mattermost_systemd_dir=str(systemd),
        mattermost_systemd_unit_dirs=[str(systemd)],
        mattermost_omnibus_config_path=str(root / 'etc' / 'mmomni.yml'),
    )
