# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""validate_plugin_id: Mattermost's rule for plugin ids, and ids lower-cased as Mattermost stores them."""

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import PLUGIN_ID_RULE, PluginIdError, validate_plugin_id


@pytest.mark.parametrize('plugin_id', ['abc', 'com.mattermost.demo-plugin', 'My_Plugin.2', 'a' * 190, '...'])
def test_validate_plugin_id_accepts_and_lower_cases(plugin_id):
    assert validate_plugin_id(plugin_id) == plugin_id.lower()


@pytest.mark.parametrize('plugin_id', ['ab', 'a' * 191, 'with space', 'slash/id', '../../x', '..', 'a%2fb', 'caf\xe9', 'demo\n', ' demo', '', None])
def test_validate_plugin_id_rejects(plugin_id):
    with pytest.raises(PluginIdError) as error:
        validate_plugin_id(plugin_id)
    assert str(error.value) == 'invalid plugin id %r: a plugin id is %s' % (plugin_id, PLUGIN_ID_RULE)
