# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mattermost's config.json on the host: read it, change one setting in place, write it back atomically.

A setting that is already in the file is changed by replacing the bytes of its value only, so every
other byte (Mattermost's 4-space layout, its escaping of <, > and &, key order) stays as it was.
"""

import json
import re
from typing import cast

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import MattermostOpsError
from ansible_collections.mmops.mattermost.plugins.module_utils._files import replace_file

DEFAULT_CONFIG_PATH = '/opt/mattermost/config/config.json'

_WHITESPACE = re.compile(r'[ \t\n\r]*')
_DECODER = json.JSONDecoder()


class ConfigFileError(MattermostOpsError):
    """config.json cannot be read, parsed or changed as asked."""


def read_config(path):
    """The text of config.json at `path` and its parsed content (key order kept)."""
    try:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8')
    except (IOError, OSError) as exc:
        raise ConfigFileError('cannot read the Mattermost config file %s: %s (set the path to the config.json this server reads)' % (path, exc.strerror or exc))
    except UnicodeDecodeError as exc:
        raise ConfigFileError('%s is not UTF-8 text: %s' % (path, exc))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigFileError('%s is not valid JSON: %s' % (path, exc))
    if not isinstance(data, dict):
        raise ConfigFileError('%s does not hold a JSON object' % path)
    return text, data


def setting(data, section, key, default=None):
    """data[section][key], or `default` when the section or key is missing."""
    values = data.get(section)
    if not isinstance(values, dict):
        return default
    return values.get(key, default)


def with_setting(text, section, key, value):
    """`text` with `section`.`key` set to `value`; only the value's bytes change when the key exists."""
    expected = json.loads(text)
    if not isinstance(expected.get(section, {}), dict):
        raise ConfigFileError('%s in the config file is not a JSON object' % section)
    expected.setdefault(section, {})[key] = value
    span = _value_span(text, (section, key))
    if span is None:
        trailing = text[len(text.rstrip()) :]
        changed = json.dumps(expected, indent=4, ensure_ascii=False) + trailing
    else:
        start, end = span
        changed = text[:start] + json.dumps(value, ensure_ascii=False) + text[end:]
    if json.loads(changed) != expected:
        # Only possible with duplicate keys, where the edited occurrence is not the one JSON readers keep.
        raise ConfigFileError('cannot change %s.%s safely: the config file holds that key more than once' % (section, key))
    return changed


def _skip_whitespace(text, position):
    # The pattern also matches no whitespace at all: it always matches.
    return cast(re.Match, _WHITESPACE.match(text, position)).end()


def _value_span(text, path):
    """(start, end) of the value at the object key `path` (a tuple of keys) in JSON `text`, or None if absent."""
    position = _skip_whitespace(text, 0)
    for key in path:
        if text[position : position + 1] != '{':
            return None
        position = _skip_whitespace(text, position + 1)
        while True:
            if text[position : position + 1] != '"':
                return None
            name, position = _DECODER.raw_decode(text, position)  # the key, a JSON string
            position = _skip_whitespace(text, position)
            position = _skip_whitespace(text, position + 1)  # past the ':'
            if name == key:
                break
            position = _skip_whitespace(text, _DECODER.raw_decode(text, position)[1])
            if text[position : position + 1] != ',':
                return None
            position = _skip_whitespace(text, position + 1)
    return position, _DECODER.raw_decode(text, position)[1]


def set_plugin_uploads(module, path, enabled, backup):
    """Set PluginSettings.EnableUploads in config.json (check and diff mode aware); returns the module result.

    Enabling is refused while RequirePluginSignature is true in the same file: Mattermost answers every upload
    with 501 then, so the change would only look done.
    """
    text, data = read_config(path)
    previous = setting(data, 'PluginSettings', 'EnableUploads', False)
    require_signature = setting(data, 'PluginSettings', 'RequirePluginSignature', False) is True
    result = dict(changed=False, path=path, enabled=enabled, previous=previous, require_plugin_signature=require_signature)
    if previous is enabled:
        return result
    if enabled and require_signature:
        raise ConfigFileError(
            'refusing to enable plugin uploads: PluginSettings.RequirePluginSignature is true in %s, and Mattermost '
            'rejects every upload while it is. Either install signed plugins without uploads (Marketplace, or the '
            'mmops.mattermost.prepackaged_plugins role), or turn RequirePluginSignature off first '
            '(mmops.mattermost.plugin_settings) and run again. %s was not changed.' % (path, path)
        )
    changed_text = with_setting(text, 'PluginSettings', 'EnableUploads', enabled)
    result['changed'] = True
    if module._diff:
        # The managed value only: the file holds the database DataSource with its password, and more secrets.
        result['diff'] = dict(
            before={'PluginSettings': {'EnableUploads': previous}}, after={'PluginSettings': {'EnableUploads': enabled}}, before_header=path, after_header=path
        )
    if not module.check_mode:
        backup_file = replace_file(path, changed_text.encode('utf-8'), module=module, backup=backup)
        if backup_file:
            result['backup_file'] = backup_file
    return result
