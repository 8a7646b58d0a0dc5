# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""config.json edits: only the value's bytes change when the key exists."""

import json

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._config_file import ConfigFileError, read_config, setting, with_setting


def test_changes_only_the_value_bytes_in_the_right_section():
    text = (
        '{\n    "Other": {"EnableUploads": false, "Note": "a \\"}\\" {brace}"},\n'
        '    "PluginSettings": {\n        "Enable": true,\n        "EnableUploads":   false ,\n'
        '        "Plugins": {"x": {"EnableUploads": false}}\n    }\n}'
    )
    changed = with_setting(text, 'PluginSettings', 'EnableUploads', True)
    assert changed == text.replace('"EnableUploads":   false', '"EnableUploads":   true')
    assert json.loads(changed)['Other']['EnableUploads'] is False
    assert json.loads(changed)['PluginSettings']['Plugins']['x']['EnableUploads'] is False


def test_keeps_go_escaping_and_compact_layout():
    text = '{"SqlSettings":{"DataSource":"a\\u0026b"},"PluginSettings":{"EnableUploads":true}}'
    assert with_setting(text, 'PluginSettings', 'EnableUploads', False) == text.replace(':true}', ':false}')


def test_missing_key_rewrites_with_four_spaces_in_order():
    text = '{"B": 1, "PluginSettings": {"Enable": true}, "A": "\\u0026"}\n'
    changed = with_setting(text, 'PluginSettings', 'EnableUploads', True)
    assert changed == ('{\n    "B": 1,\n    "PluginSettings": {\n        "Enable": true,\n        "EnableUploads": true\n    },\n    "A": "&"\n}\n')


def test_missing_section_is_added():
    assert json.loads(with_setting('{}', 'PluginSettings', 'EnableUploads', True)) == {'PluginSettings': {'EnableUploads': True}}


def test_duplicate_keys_are_refused():
    text = '{"PluginSettings": {"EnableUploads": false, "EnableUploads": false}}'
    with pytest.raises(ConfigFileError, match='more than once'):
        with_setting(text, 'PluginSettings', 'EnableUploads', True)


def test_section_that_is_not_an_object_is_refused():
    with pytest.raises(ConfigFileError, match='not a JSON object'):
        with_setting('{"PluginSettings": []}', 'PluginSettings', 'EnableUploads', True)


def test_read_config_errors_name_the_file(tmp_path):
    missing = str(tmp_path / 'missing.json')
    with pytest.raises(ConfigFileError, match='cannot read the Mattermost config file %s' % missing):
        read_config(missing)
    broken = tmp_path / 'broken.json'
    broken.write_text('{"a": ')
    with pytest.raises(ConfigFileError, match='is not valid JSON'):
        read_config(str(broken))
    array = tmp_path / 'array.json'
    array.write_text('[]')
    with pytest.raises(ConfigFileError, match='does not hold a JSON object'):
        read_config(str(array))


def test_setting_defaults():
    assert setting({'PluginSettings': {'EnableUploads': True}}, 'PluginSettings', 'EnableUploads') is True
    assert setting({}, 'PluginSettings', 'EnableUploads', False) is False
    assert setting({'PluginSettings': 'x'}, 'PluginSettings', 'EnableUploads', False) is False
