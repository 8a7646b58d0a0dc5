# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import re

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._marketplace import same_version
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import PluginError
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin import PLUGIN_ARGSPEC, PluginSpec
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import PluginIdError
from ansible_collections.mmops.mattermost.plugins.module_utils._server import ServerView


def spec(**params):
    values = dict((name, option.get('default')) for name, option in PLUGIN_ARGSPEC.items())
    values.update(params)
    return PluginSpec(values)


def test_spec_declares_one_typed_attribute_per_option():
    # The attributes are set from PLUGIN_ARGSPEC by name; the declarations are what mypy checks their uses against.
    assert set(PluginSpec.__annotations__) == set(PLUGIN_ARGSPEC)


def test_spec_lower_cases_the_id():
    assert spec(id='Com.Example.Notes').id == 'com.example.notes'


@pytest.mark.parametrize('plugin_id', ['../../x', ' com.example.notes', 'ab', '', None])
def test_spec_refuses_an_id_mattermost_refuses_before_anything_else(plugin_id):
    # state=latest with version contradicts: the id is refused first, since the other messages name it.
    with pytest.raises(PluginIdError, match=re.escape('invalid plugin id %r: a plugin id is 3 to 190 characters' % plugin_id)):
        spec(id=plugin_id, state='latest', version='1.0.0')


@pytest.mark.parametrize(
    'params,message',
    [
        (dict(id='x1x', state='latest', version='1.0.0'), 'contradict'),
        (dict(id='x1x', state='latest', source='file', src='/b.tar.gz'), 'needs source=marketplace'),
        (dict(id='x1x', state='absent', enabled=True), 'do not apply to state=absent'),
        (dict(id='x1x', source='url'), 'needs src (the bundle URL)'),
        (dict(id='x1x', source='file'), 'needs src (the bundle path)'),
        (dict(id='x1x', src='/b.tar.gz'), 'apply to source=url and source=file only'),
        (dict(id='x1x', source='file', src='/b', signature='/b.sig'), 'signature and trusted_keys go together'),
        (dict(id='x1x', wait_timeout=0), 'wait_timeout must be a positive'),
    ],
)
def test_contradictions_are_refused(params, message):
    # The messages are literal text (some contain parentheses), not regular expressions.
    with pytest.raises(PluginError, match=re.escape(message)):
        spec(**params)


class FakeClient:
    """Stands in for the HTTP layer only: the view's own logic is what is under test."""

    base_url = 'https://chat.example.com'
    server_version = '9.11.0'

    def __init__(self, statuses, settings=None):
        self.statuses = statuses
        self.settings = settings or {'Enable': True, 'PluginStates': {'jira': {'Enable': True}}}

    def get_config(self):
        return {'PluginSettings': self.settings}

    def get_plugin_statuses(self):
        return self.statuses


def status(node, state, version='3.0.1', error=''):
    return {'plugin_id': 'jira', 'cluster_id': node, 'state': state, 'version': version, 'error': error, 'name': 'Jira'}


def test_start_progress_separates_pending_and_failed_nodes():
    view = ServerView(
        FakeClient(
            [
                status('a', 2),
                status('b', 0),
                status('c', 3, error='boom'),
                status('d', 2, '2.4.0'),
                {'plugin_id': 'other', 'cluster_id': 'e', 'state': 2, 'version': '1.0.0'},
            ]
        )
    )
    pending, failed = view.start_progress({'jira': '3.0.1'})
    assert pending == [('jira', 'b', 'not_running'), ('jira', 'd', 'not installed at 3.0.1 yet'), ('jira', 'e', 'not installed at 3.0.1 yet')]
    assert failed == [('jira', 'c', 'failed_to_start: boom')]


def test_describe_names_node_states():
    view = ServerView(FakeClient([status('a', 2), status('b', 4, error='crashed')]))
    described = view.describe('jira')
    assert described['enabled'] is True and described['installed'] is True and described['version'] == '3.0.1'
    assert described['nodes'] == [
        {'cluster_id': 'a', 'state': 'running', 'version': '3.0.1'},
        {'cluster_id': 'b', 'state': 'failed_to_stay_running', 'version': '3.0.1', 'error': 'crashed'},
    ]
    assert view.describe('zoom') == dict(id='zoom', name=None, version=None, enabled=False, installed=False, nodes=[])


def test_plugins_switched_off_are_named_before_statuses_are_read():
    with pytest.raises(PluginError, match=r'PluginSettings.Enable is false.*plugin_settings'):
        ServerView(FakeClient(None, settings={'Enable': False}))


@pytest.mark.parametrize(
    'left,right,equal',
    [
        ('1.0.0', '1.0.0+build.5', True),
        ('v2.4.0', '2.4.0', True),
        ('2.4.0', '2.4.1', False),
        ('1.5.0-cloud', '1.5.0', False),
        ('not-semver', 'not-semver', True),
        (None, '1.0.0', False),
    ],
)
def test_same_version(left, right, equal):
    assert same_version(left, right) is equal
