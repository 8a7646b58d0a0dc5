# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator answers as the real server does.

Each case sends the same request sequence to a real Mattermost (the `mm` fixture of support.e2e_plugin) and to
the simulator, and compares what the collection depends on, normalised: the status, the error id, the JSON
shape (keys and value types; lists by their first element) and whether a secret is masked. A plugin stands
for itself on each side: the test plugin on the real server, com.example.notes (also with a declared secret)
in the simulator's catalog.
"""

import io
import json
import os
import tarfile
import time
import uuid

import pytest

from support.realserver import http
from support.simulator import Simulator
from support.testplugin import PLUGIN_ID

SIM_PLUGIN = 'com.example.notes'
MASK = '*' * 32


@pytest.fixture(scope='session')
def simulator(tmp_path_factory):
    started = Simulator(tmp_path_factory.mktemp('contract-sim'))
    yield started
    started.stop()


class Target:
    """One side of the comparison: a base URL, a token and the id of its plugin with settings."""

    def __init__(self, url, token, plugin_id):
        self.url, self.token, self.plugin_id = url, token, plugin_id

    def call(self, method, path, body=None, token=True, raw=None, content_type='application/json'):
        return Answer(
            *http(
                method,
                self.url + '/api/v4' + path.replace('{id}', self.plugin_id),
                body,
                token=self.token if token else None,
                timeout=60,
                raw=raw,
                content_type=content_type,
            )
        )


class Answer:
    def __init__(self, status, headers, document):
        self.status, self.headers, self.document = status, headers, document

    @property
    def error_id(self):
        return self.document.get('id') if isinstance(self.document, dict) and self.status >= 400 else None

    def outcome(self):
        return dict(status=self.status, error_id=self.error_id)


def shape(value, depth=3):
    """Keys and value types, as far down as `depth`; a list by its first element."""
    if isinstance(value, dict):
        return dict((key, shape(item, depth - 1)) for key, item in value.items()) if depth > 0 else 'object'
    if isinstance(value, list):
        return [shape(value[0], depth - 1)] if value and depth > 0 else []
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, (int, float)):
        return 'number'
    if value is None:
        return 'null'
    return 'string'


def missing_keys(real, simulated, path=''):
    """Keys of the real shape that the simulated one lacks or types differently (extra simulator keys are fine)."""
    problems = []
    if isinstance(real, dict) and isinstance(simulated, dict):
        for key, value in real.items():
            if key not in simulated:
                problems.append('%s%s missing' % (path, key))
            else:
                problems += missing_keys(value, simulated[key], '%s%s.' % (path, key))
    elif isinstance(real, list) and isinstance(simulated, list):
        if real and simulated:
            problems += missing_keys(real[0], simulated[0], path + '[0].')
    elif real != simulated and 'null' not in (real, simulated):
        problems.append('%s: real %s, simulator %s' % (path.rstrip('.'), real, simulated))
    return problems


@pytest.fixture
def sides(mm, simulator):
    # The same starting point on both: the real server's version, uploads off (its default), nothing installed.
    simulator.reset(server_version=mm.version, installed=[], config={'PluginSettings': {'EnableUploads': False}})
    mm.publish_all()
    return Target(mm.direct_url, mm.token, PLUGIN_ID), Target(simulator.url, simulator.token, SIM_PLUGIN)


def both(sides, *request, **options):
    real, simulated = sides
    return real.call(*request, **options), simulated.call(*request, **options)


def assert_same_outcome(real, simulated):
    assert simulated.outcome() == real.outcome(), 'real %s, simulator %s' % (real.outcome(), simulated.outcome())


def installed(sides):
    for side in sides:
        answer = side.call('POST', '/plugins/marketplace', {'id': side.plugin_id})
        assert answer.status == 201, (side.url, answer.status, answer.document)


def bundle_body(plugin_id):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w:gz') as archive:
        data = json.dumps({'id': plugin_id, 'version': '0.0.1', 'webapp': {'bundle_path': 'main.js'}}).encode()
        info = tarfile.TarInfo('%s/plugin.json' % plugin_id)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    boundary = uuid.uuid4().hex
    body = (
        ('--%s\r\nContent-Disposition: form-data; name="plugin"; filename="p.tar.gz"\r\nContent-Type: application/gzip\r\n\r\n' % boundary).encode()
        + raw.getvalue()
        + ('\r\n--%s--\r\n' % boundary).encode()
    )
    return body, 'multipart/form-data; boundary=%s' % boundary


def test_ping_answers_ok_with_a_version_header(sides):
    real, simulated = both(sides, 'GET', '/system/ping', token=False)
    assert_same_outcome(real, simulated)
    assert simulated.document['status'] == real.document['status'] == 'OK'
    for answer in (real, simulated):
        assert len(answer.headers['X-Version-Id'].split('.')) >= 4, answer.headers['X-Version-Id']


def test_an_unauthenticated_request_is_refused_alike(sides):
    real, simulated = both(sides, 'GET', '/plugins', token=False)
    assert_same_outcome(real, simulated)


def test_a_bad_token_is_refused_alike(sides):
    for side in sides:
        side.token = 'x' * 26
    real, simulated = both(sides, 'GET', '/plugins')
    assert_same_outcome(real, simulated)


def test_an_empty_plugin_listing_has_the_same_shape(sides):
    simulated_side = sides[1]
    simulated_side.call('DELETE', '/plugins/%s' % SIM_PLUGIN)
    real, simulated = both(sides, 'GET', '/plugins')
    assert_same_outcome(real, simulated)
    assert sorted(real.document) == sorted(simulated.document) == ['active', 'inactive'], (real.document, simulated.document)


@pytest.mark.parametrize('action', ['enable', 'disable'])
def test_enabling_or_disabling_a_plugin_that_is_not_installed_fails_alike(sides, action):
    real, simulated = both(sides, 'POST', '/plugins/com.example.nosuch/%s' % action)
    assert_same_outcome(real, simulated)


def test_removing_a_plugin_that_is_not_installed_fails_alike(sides):
    real, simulated = both(sides, 'DELETE', '/plugins/com.example.nosuch')
    assert_same_outcome(real, simulated)


@pytest.mark.parametrize('path', ['/plugins//enable', '/plugins/com.example.no%20such', '/plugins/com.example.no%2Fsuch/disable'])
def test_a_plugin_id_outside_the_routes_pattern_finds_no_route_alike(sides, path):
    method = 'DELETE' if path.count('/') == 2 else 'POST'
    real, simulated = both(sides, method, path)
    assert_same_outcome(real, simulated)
    assert real.status == 404, real.outcome()


def test_an_upload_with_uploads_off_is_refused_alike(sides):
    body, content_type = bundle_body('com.example.upload')
    real, simulated = both(sides, 'POST', '/plugins', raw=body, content_type=content_type)
    assert_same_outcome(real, simulated)


def test_an_install_from_url_with_uploads_off_is_refused_alike(sides):
    real, simulated = both(sides, 'POST', '/plugins/install_from_url?plugin_download_url=http%3A%2F%2F127.0.0.1%3A9%2Fp.tar.gz')
    assert_same_outcome(real, simulated)


def test_a_marketplace_install_of_an_unknown_plugin_fails_alike(sides):
    real, simulated = both(sides, 'POST', '/plugins/marketplace', {'id': 'com.example.nosuch'})
    assert_same_outcome(real, simulated)


def test_a_marketplace_install_answers_the_same_manifest_shape(sides):
    real_side, simulated_side = sides
    simulated_side.call('DELETE', '/plugins/%s' % SIM_PLUGIN)
    real = real_side.call('POST', '/plugins/marketplace', {'id': PLUGIN_ID})
    simulated = simulated_side.call('POST', '/plugins/marketplace', {'id': SIM_PLUGIN})
    assert_same_outcome(real, simulated)
    assert missing_keys(shape({k: real.document[k] for k in ('id', 'name', 'version')}), shape(simulated.document)) == []


def listed(answer, plugin_id):
    return next(item for state in ('active', 'inactive') for item in answer.document[state] or [] if item['id'] == plugin_id)


def test_the_plugin_listing_entry_has_the_same_shape(sides):
    installed(sides)
    real, simulated = both(sides, 'GET', '/plugins')
    real_entry, simulated_entry = listed(real, PLUGIN_ID), listed(simulated, SIM_PLUGIN)
    # Entries are the manifests as installed: compare what every manifest has (settings_schema comes with the manifest).
    wanted = dict((key, real_entry[key]) for key in ('id', 'name', 'version', 'description'))
    assert missing_keys(shape(wanted, 1), shape(simulated_entry, 1)) == []
    assert 'settings_schema' in real_entry


def test_plugin_statuses_have_the_same_shape(sides):
    installed(sides)
    real, simulated = both(sides, 'GET', '/plugins/statuses')
    assert_same_outcome(real, simulated)
    assert real.document and simulated.document
    assert missing_keys(shape(real.document[0]), shape(simulated.document[0])) == []


def test_enabling_an_installed_plugin_answers_alike(sides):
    installed(sides)
    real, simulated = both(sides, 'POST', '/plugins/{id}/enable')
    assert_same_outcome(real, simulated)
    assert real.document == simulated.document


def test_secrets_of_an_installed_plugin_are_masked_alike(sides):
    installed(sides)
    for side in sides:
        side.call('POST', '/plugins/{id}/enable')
    real, simulated = both(sides, 'GET', '/config')
    real_settings = real.document['PluginSettings']['Plugins'].get(PLUGIN_ID, {})
    simulated_settings = simulated.document['PluginSettings']['Plugins'].get(SIM_PLUGIN, {})
    real_masked = sorted(key for key, value in real_settings.items() if value == MASK)
    simulated_masked = sorted(key for key, value in simulated_settings.items() if value == MASK)
    assert bool(real_masked) == bool(simulated_masked), (real_settings, simulated_settings)


def test_the_config_has_the_plugin_settings_the_real_server_has(sides):
    real, simulated = both(sides, 'GET', '/config')
    assert_same_outcome(real, simulated)
    assert missing_keys(shape(real.document['PluginSettings'], 1), shape(simulated.document['PluginSettings'], 1)) == []


def test_a_patch_cannot_turn_uploads_on_alike(sides):
    real, simulated = both(sides, 'PUT', '/config/patch', {'PluginSettings': {'EnableUploads': True}})
    assert_same_outcome(real, simulated)
    for answer in (real, simulated):
        if answer.status == 200:
            assert answer.document['PluginSettings']['EnableUploads'] is False


def test_a_config_reload_answers_alike(sides):
    real, simulated = both(sides, 'POST', '/config/reload')
    assert_same_outcome(real, simulated)


def test_the_environment_config_is_null_when_nothing_is_overridden_alike(sides):
    real, simulated = both(sides, 'GET', '/config/environment')
    assert_same_outcome(real, simulated)
    assert real.document == simulated.document, (real.document, simulated.document)


def test_the_marketplace_listing_entries_have_the_same_shape(sides):
    real, simulated = both(sides, 'GET', '/plugins/marketplace')
    assert_same_outcome(real, simulated)
    assert real.document and simulated.document
    real_entry = next(entry for entry in real.document if entry['manifest']['id'] == PLUGIN_ID)
    simulated_entry = next(entry for entry in simulated.document if entry['manifest']['id'] == SIM_PLUGIN)
    problems = missing_keys(shape(dict((k, v) for k, v in real_entry.items() if k != 'manifest'), 1), shape(simulated_entry, 1))
    assert problems == []


def test_a_started_plugin_reaches_the_running_state_on_both(sides):
    installed(sides)
    for side in sides:
        side.call('POST', '/plugins/{id}/enable')
    deadline = time.time() + 60
    states = {}
    while time.time() < deadline:
        states = dict((side.url, [s['state'] for s in side.call('GET', '/plugins/statuses').document if s['plugin_id'] == side.plugin_id]) for side in sides)
        if all(value == [2] for value in states.values()):
            break
        time.sleep(0.5)
    assert all(value == [2] for value in states.values()), states


def test_the_version_header_parses_the_same_way(sides):
    for side in sides:
        header = side.call('GET', '/system/ping', token=False).headers['X-Version-Id']
        assert all(part.isdigit() for part in header.split('.')[:3]), header


@pytest.mark.parametrize('marker', [os.sep])
def test_a_plugin_id_with_a_path_separator_is_refused_alike(sides, marker):
    real, simulated = both(sides, 'POST', '/plugins/marketplace', {'id': '..%sx' % marker})
    assert_same_outcome(real, simulated)


def test_an_empty_marketplace_listing_is_null_alike(sides):
    for side in sides:
        answer = side.call('PUT', '/config/patch', {'PluginSettings': {'EnableRemoteMarketplace': False}})
        assert answer.status == 200, answer.document
    real, simulated = both(sides, 'GET', '/plugins/marketplace')
    assert_same_outcome(real, simulated)
    assert real.document is None and simulated.document is None, (real.document, simulated.document)
