# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ensure_trusted_key with plain arguments, on a config.json in a temporary directory."""

import json
import os

import pytest


from ansible_collections.mmops.mattermost.plugins.module_utils._config_store import ConfigStoreError, FileConfigStore
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_key import ensure_trusted_key


def never_opened():
    raise AssertionError('the store was opened although the arguments were refused')


@pytest.fixture
def store(tmp_path, bare_module):
    config = tmp_path / 'config.json'
    config.write_text(json.dumps({'PluginSettings': {'SignaturePublicKeyFiles': ['old.asc', 'other.asc']}}, indent=4))
    (tmp_path / 'old.asc').write_bytes(b'not a key any more')
    module = bare_module
    return lambda: FileConfigStore(module, str(config))


def listed(tmp_path):
    return json.loads((tmp_path / 'config.json').read_text())['PluginSettings']['SignaturePublicKeyFiles']


def test_present_without_a_key_is_refused_before_the_store_is_opened():
    with pytest.raises(ConfigStoreError, match='needs the public key'):
        ensure_trusted_key(never_opened, 'example.asc', 'present')


def test_a_name_that_is_not_a_plain_file_name_is_refused():
    with pytest.raises(ConfigStoreError):
        ensure_trusted_key(never_opened, '../example.asc', 'absent')


def test_absent_in_check_mode_plans_and_changes_nothing(store, tmp_path):
    result = ensure_trusted_key(store, 'old.asc', 'absent', check_mode=True)
    assert result['changed'] is True and result['keys'] == ['other.asc']
    assert result['actions'] == ['remove key old.asc from %s' % (tmp_path / 'config.json'), 'remove old.asc from PluginSettings.SignaturePublicKeyFiles']
    assert listed(tmp_path) == ['old.asc', 'other.asc'] and os.path.exists(str(tmp_path / 'old.asc'))


def test_absent_removes_the_file_and_its_entry_and_says_a_reload_is_needed(store, tmp_path):
    result = ensure_trusted_key(store, 'old.asc', 'absent')
    assert result['changed'] is True and result['restart_needed'] is True and result['reloaded'] is False
    assert 'config reload' in result['msg'] and result['warnings'] == []
    assert listed(tmp_path) == ['other.asc'] and not os.path.exists(str(tmp_path / 'old.asc'))
    again = ensure_trusted_key(store, 'old.asc', 'absent')
    assert again['changed'] is False and again['actions'] == []
