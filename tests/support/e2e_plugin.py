# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pytest plugin of the real-server suites (tests/e2e, tests/contract), loaded with `-p support.e2e_plugin`
(make e2e), so that both suites share one server per version. The harness: Mattermost built from its Go module (scripts/build-mattermost.py), PostgreSQL, a
local Marketplace serving bundles signed by the collection's own modules, and a recording proxy in front.

Each server of tests/e2e/versions.json starts once per session (MMOPS_E2E_SERVERS="11.4 10.3" picks some);
the `mm` fixture puts it back to its base state before each test. Nothing here skips: a missing Go, a failed
build or a server that does not answer fails the test (CI must never pass on a run that tested nothing).
"""

import json
import os
import subprocess
import sys

import pytest

from support import postgres, testplugin
from support.marketplace import Marketplace
from support.playbooks import REPO, run_tasks
from support.proxy import RecordingProxy
from support.realserver import Install, base_config, http

VERSIONS = json.load(open(os.path.join(REPO, 'tests', 'e2e', 'versions.json')))
SELECTED = os.environ.get('MMOPS_E2E_SERVERS', '').split() or [entry['name'] for entry in VERSIONS['servers']]
SUMMARY = os.path.join(REPO, '.build', 'e2e', 'summary.json')
KEY_NAME = 'mmops-e2e.asc'
PASSPHRASE = 'e2e-signing-4b7d'
# The settings a test may change only in config.json (the API keeps them): put back before each test.
FILE_ONLY = ('EnableUploads', 'RequirePluginSignature', 'SignaturePublicKeyFiles', 'Directory', 'ClientDirectory')


def pytest_generate_tests(metafunc):
    if 'server' in metafunc.fixturenames:
        metafunc.parametrize('server', SELECTED, indirect=True, scope='session')


@pytest.fixture(scope='session')
def artifacts():
    """Paths of the built servers and of the test plugin's binary (built once, then cached)."""
    command = [sys.executable, os.path.join(REPO, 'scripts', 'build-mattermost.py')] + SELECTED
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode != 0:
        pytest.fail('building Mattermost failed (exit %d): %s' % (completed.returncode, completed.stdout[-2000:]), pytrace=False)
    return json.loads(completed.stdout.strip().splitlines()[-1])


class Signing:
    """The plugin-signing key made by signing_key, and a second key nobody trusts."""

    def __init__(self, root):
        self.root = root
        self.home, self.public = os.path.join(root, 'gnupg'), os.path.join(root, 'signer.asc')
        self.other_home, self.other_public = os.path.join(root, 'other-gnupg'), os.path.join(root, 'other.asc')

    def sign_tasks(self, bundle, untrusted=False, signature=None):
        args = dict(path=bundle, state='signed', signature=signature or bundle + '.sig')
        if untrusted:
            args.update(key_id='else@example.com', gnupghome=self.other_home)
        else:
            args.update(key_id='plugins@example.com', gnupghome=self.home, passphrase=PASSPHRASE)
        return [{'name': 'sign %s' % os.path.basename(args['signature']), 'mmops.mattermost.plugin_signature': args}]


@pytest.fixture(scope='session')
def signing(tmp_path_factory):
    made = Signing(str(tmp_path_factory.mktemp('signing')))
    run = run_tasks(
        made.root,
        [
            {
                'name': 'signer',
                'mmops.mattermost.signing_key': dict(
                    name_real='mmops e2e plugins',
                    name_email='plugins@example.com',
                    key_length=3072,
                    gnupghome=made.home,
                    passphrase=PASSPHRASE,
                    public_key_path=made.public,
                ),
            },
            {
                'name': 'other',
                'mmops.mattermost.signing_key': dict(
                    name_real='Someone else', name_email='else@example.com', key_length=3072, gnupghome=made.other_home, public_key_path=made.other_public
                ),
            },
        ],
    )
    assert run.rc == 0, run.output
    made.fingerprint = run.results['signer']['fingerprint']
    yield made
    for home in (made.home, made.other_home):
        subprocess.call(['gpgconf', '--homedir', home, '--kill', 'gpg-agent'])


class Bundles:
    """The test plugin's releases, each signed by the trusted key (<bundle>.sig)."""

    def __init__(self, root):
        self.root = root
        self.paths, self.manifests = {}, {}

    def path(self, version, plugin_id=testplugin.PLUGIN_ID):
        return self.paths[(plugin_id, version)]

    def signature(self, version, plugin_id=testplugin.PLUGIN_ID):
        return self.path(version, plugin_id) + '.sig'


@pytest.fixture(scope='session')
def bundles(artifacts, signing, tmp_path_factory):
    made = Bundles(str(tmp_path_factory.mktemp('bundles')))
    spec = VERSIONS['test_plugin']
    tasks = []
    for version in spec['versions']:
        minimum = spec['unreachable_min_server_version'] if version == spec['versions'][-1] else None
        path, manifest = testplugin.build(made.root, version, artifacts['plugin'], min_server_version=minimum)
        made.paths[(testplugin.PLUGIN_ID, version)], made.manifests[(testplugin.PLUGIN_ID, version)] = path, manifest
        tasks += signing.sign_tasks(path)
    path, manifest = testplugin.build(made.root, '1.0.0', plugin_id=testplugin.WEBAPP_ID)
    made.paths[(testplugin.WEBAPP_ID, '1.0.0')], made.manifests[(testplugin.WEBAPP_ID, '1.0.0')] = path, manifest
    tasks += signing.sign_tasks(path)
    made.untrusted_signature = made.path('1.0.0') + '.other.sig'
    tasks += signing.sign_tasks(made.path('1.0.0'), untrusted=True, signature=made.untrusted_signature)
    run = run_tasks(made.root, tasks)
    assert run.rc == 0, run.output
    return made


@pytest.fixture(scope='session')
def database_cluster():
    with postgres.running_cluster() as cluster:
        yield cluster


class RealServer:
    """One running Mattermost with its proxy and Marketplace; `url` is the proxy's, as the collection sees it."""

    def __init__(self, name, install, proxy, marketplace, token, bundles, signing, tmp_root):
        self.name, self.install, self.proxy, self.marketplace = name, install, proxy, marketplace
        self.token, self.bundles, self.signing, self.tmp_root = token, bundles, signing, tmp_root
        self.url = proxy.url
        self.direct_url = install.url
        self.base_plugin_settings = None

    @property
    def version(self):
        return '.'.join(self.version_id.split('.')[:3])

    @property
    def version_id(self):
        return http('GET', self.direct_url + '/api/v4/system/ping')[1]['X-Version-Id']

    def api(self, method, path, body=None):
        return http(method, self.direct_url + '/api/v4' + path, body, token=self.token)

    def config(self):
        status, _headers, config = self.api('GET', '/config')
        assert status == 200, config
        return config

    def plugins(self):
        status, _headers, listing = self.api('GET', '/plugins')
        assert status == 200, listing
        return dict((entry['id'], dict(entry, active=state == 'active')) for state in ('active', 'inactive') for entry in listing[state] or [])

    def statuses(self):
        return self.api('GET', '/plugins/statuses')[2]

    def writes(self):
        return self.proxy.writes()

    def file_config(self):
        with open(self.install.config_path) as handle:
            return json.load(handle)

    def write_file_config(self, config):
        with open(self.install.config_path, 'w') as handle:
            json.dump(config, handle, indent=2)

    def set_file_settings(self, restart=True, **settings):
        """Change PluginSettings in config.json (what only the file allows) and restart when anything changed."""
        config = self.file_config()
        changed = any(config['PluginSettings'].get(key) != value for key, value in settings.items())
        config['PluginSettings'].update(settings)
        if changed:
            self.write_file_config(config)
            if restart:
                self.install.restart()
        return changed

    def publish(self, version, plugin_id=testplugin.PLUGIN_ID, signature=None):
        key = (plugin_id, version)
        return self.marketplace.publish(self.bundles.paths[key], self.bundles.manifests[key], signature or self.bundles.paths[key] + '.sig')

    def publish_all(self):
        for plugin_id, version in sorted(self.bundles.paths):
            self.publish(version, plugin_id)

    def reset(self):
        """Back to the base state: no plugins, the base PluginSettings, an empty Marketplace and request log."""
        self.marketplace.clear()
        config = self.file_config()
        wanted = dict((key, self.base_plugin_settings[key]) for key in FILE_ONLY)
        # Bundles a test placed as prepackaged plugins are offered until the next start without them.
        prepackaged = os.path.join(self.install.root, 'prepackaged_plugins')
        placed = os.listdir(prepackaged)
        for name in placed:
            os.remove(os.path.join(prepackaged, name))
        if placed or self.install.pid() is None or any(config['PluginSettings'].get(key) != value for key, value in wanted.items()):
            config['PluginSettings'].update(wanted)
            self.write_file_config(config)
            self.install.restart()
        for plugin_id in self.plugins():
            status, _headers, body = self.api('DELETE', '/plugins/%s' % plugin_id)
            assert status == 200, body
        status, _headers, body = self.api(
            'PUT', '/config/patch', {'PluginSettings': dict((key, value) for key, value in self.base_plugin_settings.items() if key not in FILE_ONLY)}
        )
        assert status == 200, body
        self.proxy.clear()


def start_server(name, artifacts, cluster, tmp_root, marketplace, config_store='file', label=None, start=True):
    """A new install of server `name` with its own database; config.json, or the database store."""
    port = postgres.free_port()
    database = 'mm_%s_%s' % (name.replace('.', '_'), label or config_store)
    cluster.create_database(database)
    root = os.path.join(tmp_root, 'mattermost')
    config_path = os.path.join(root, 'config', 'config.json')
    source = cluster.dsn(database) if config_store == 'database' else config_path
    install = Install.create(root, artifacts['servers'][name], port, source)
    config = base_config(root, port, cluster.dsn(database), marketplace.url)
    if config_store == 'database':
        # The first start of a database store imports this file (MM_CONFIG's initial configuration).
        install.state['env'] = {'MM_CUSTOM_DEFAULTS_PATH': config_path}
        install.save()
    with open(config_path, 'w') as handle:
        json.dump(config, handle, indent=2)
    if start:
        install.start()
    return install


@pytest.fixture(scope='session')
def server(request, artifacts, database_cluster, bundles, signing, tmp_path_factory):
    name = request.param
    tmp_root = str(tmp_path_factory.mktemp('mm-%s' % name))
    marketplace = Marketplace()
    install = start_server(name, artifacts, database_cluster, tmp_root, marketplace)
    proxy = RecordingProxy(install.url)
    real = RealServer(name, install, proxy, marketplace, install.bootstrap_admin(), bundles, signing, tmp_root)
    # The tests' key is trusted the way users trust theirs: with plugin_key.
    run = run_tasks(
        tmp_root, [{'name': 'trust', 'mmops.mattermost.plugin_key': dict(name=KEY_NAME, src=signing.public, config_path=install.config_path)}], sim=real
    )
    assert run.rc == 0, run.output
    real.base_plugin_settings = real.config()['PluginSettings']
    real.base_plugin_settings.update((key, real.file_config()['PluginSettings'][key]) for key in FILE_ONLY)
    request.config.stash.setdefault(VERSION_IDS, {})[name] = real.version_id
    yield real
    proxy.stop()
    marketplace.stop()
    install.stop()


@pytest.fixture
def mm(server):
    server.reset()
    return server


# --- summary.json ------------------------------------------------------------
VERSION_IDS = pytest.StashKey()
RESULTS = pytest.StashKey()


def _suite_and_server(report):
    suite = 'contract' if '/contract/' in report.nodeid.replace(os.sep, '/') else 'mattermost'
    name = next((candidate for candidate in SELECTED if '[%s' % candidate in report.nodeid or '-%s]' % candidate in report.nodeid), None)
    return suite, name


def pytest_runtest_logreport(report):
    if report.when != 'call' and not (report.when == 'setup' and not report.passed):
        return
    suite, name = _suite_and_server(report)
    config = _CONFIG[0]
    counts = config.stash.setdefault(RESULTS, {}).setdefault((suite, name), {'passed': 0, 'failed': 0})
    counts['passed' if report.passed else 'failed'] += 1


_CONFIG = []


def pytest_configure(config):
    _CONFIG.append(config)


def pytest_terminal_summary(terminalreporter, config):
    results = config.stash.get(RESULTS, {})
    version_ids = config.stash.get(VERSION_IDS, {})
    summary = {'mattermost': [], 'contract': {'passed': 0, 'failed': 0}}
    for name in SELECTED:
        counts = results.get(('mattermost', name), {'passed': 0, 'failed': 0})
        summary['mattermost'].append(dict(name=name, version=version_ids.get(name, 'not started'), **counts))
        terminalreporter.write_line(
            'Mattermost %s: X-Version-Id %s, %d passed, %d failed' % (name, version_ids.get(name, 'not started'), counts['passed'], counts['failed'])
        )
    for (suite, _name), counts in results.items():
        if suite == 'contract':
            for key in ('passed', 'failed'):
                summary['contract'][key] += counts[key]
    terminalreporter.write_line('contract suite: %(passed)d passed, %(failed)d failed' % summary['contract'])
    os.makedirs(os.path.dirname(SUMMARY), exist_ok=True)
    with open(SUMMARY, 'w') as handle:
        json.dump(summary, handle, indent=2)
