# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server-wide PluginSettings: checked against a JSON Schema and Mattermost's forbidden combinations, then
written with PUT /config/patch. Kept apart from _plugin_config so that only plugin_settings loads jsonschema."""

import traceback
from typing import Any, Optional

try:
    import jsonschema
except ImportError:
    HAS_JSONSCHEMA = False
    JSONSCHEMA_IMPORT_ERROR: Optional[str] = traceback.format_exc()
else:
    HAS_JSONSCHEMA = True
    JSONSCHEMA_IMPORT_ERROR = None

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import SettingsError
from ansible_collections.mmops.mattermost.plugins.module_utils._setting_gates import require_api_writable, require_config_writable, same_value


# --- server-wide PluginSettings -------------------------------------------------------------------

URL_PATTERN = r'^https?://[^\s/?#]+(/\S*)?$'
RETIRED_MARKETPLACE_URLS = ['https://marketplace.integrations.mattermost.com', 'https://marketplace.integrations.mattermost.com/']

PLUGIN_SETTINGS_SCHEMA: dict[str, Any] = {
    '$schema': 'https://json-schema.org/draft/2020-12/schema',
    'title': 'The PluginSettings this collection changes through PUT /api/v4/config/patch',
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'Enable': {'type': 'boolean', 'description': 'true or false'},
        'AllowInsecureDownloadURL': {'type': 'boolean', 'description': 'true or false'},
        'EnableHealthCheck': {'type': 'boolean', 'description': 'true or false'},
        'Directory': {'type': 'string', 'minLength': 1, 'description': 'a non-empty path (Mattermost resets an empty one to ./plugins)'},
        'ClientDirectory': {'type': 'string', 'minLength': 1, 'description': 'a non-empty path (Mattermost resets an empty one to ./client/plugins)'},
        'EnableMarketplace': {'type': 'boolean', 'description': 'true or false'},
        'EnableRemoteMarketplace': {'type': 'boolean', 'description': 'true or false'},
        'AutomaticPrepackagedPlugins': {'type': 'boolean', 'description': 'true or false'},
        'RequirePluginSignature': {'type': 'boolean', 'description': 'true or false'},
        'MarketplaceURL': {
            'type': 'string',
            'pattern': URL_PATTERN,
            'not': {'enum': RETIRED_MARKETPLACE_URLS},
            'description': 'an http(s) URL such as https://api.integrations.mattermost.com (Mattermost '
            'replaces an empty one and the retired marketplace.integrations.mattermost.com '
            'with its default)',
        },
        'ChimeraOAuthProxyURL': {'type': 'string', 'anyOf': [{'const': ''}, {'pattern': URL_PATTERN}], 'description': 'an http(s) URL, or empty'},
    },
}

# Combinations Mattermost refuses or that make no sense. Each is checked against the settings as they will be after
# the change, when the request names one of `when` (a combination already on the server is not ours to judge).
COMBINATIONS: list[dict[str, Any]] = [
    dict(
        when=('RequirePluginSignature',),
        schema={'if': {'properties': {'RequirePluginSignature': {'const': True}}}, 'then': {'properties': {'EnableUploads': {'const': False}}}},
        message='RequirePluginSignature true while custom uploads are on (EnableUploads true): Mattermost would refuse '
        'every upload and URL install while the setting says they are allowed. Turn uploads off first with the '
        'mmops.mattermost.plugin_uploads role (mattermost_plugin_uploads: false)',
    ),
    dict(
        when=('MarketplaceURL',),
        schema={'properties': {'EnableMarketplace': {'const': True}, 'EnableRemoteMarketplace': {'const': True}}},
        message='MarketplaceURL is only used while the Marketplace and the remote Marketplace are on: set '
        'EnableMarketplace and EnableRemoteMarketplace to true in the same task, or leave MarketplaceURL out',
    ),
    dict(
        when=('EnableRemoteMarketplace',),
        schema={'if': {'properties': {'EnableRemoteMarketplace': {'const': True}}}, 'then': {'properties': {'EnableMarketplace': {'const': True}}}},
        message='EnableRemoteMarketplace true has no effect while EnableMarketplace is false: set EnableMarketplace to true in the same task',
    ),
]

# Settings the API will not (or must not) change here, and what changes them instead.
ELSEWHERE = {
    'EnableUploads': 'it cannot be changed over the API (Mattermost answers 403): turn custom uploads on or off with the '
    'mmops.mattermost.plugin_uploads role, which edits config.json, mmomni.yml or the service environment',
    'SignaturePublicKeyFiles': 'it names key files that must exist on the server host: add or remove trusted keys with the '
    'mmops.mattermost.plugin_key module, which places the file and keeps this list in step',
    'Plugins': 'per-plugin settings are set with mmops.mattermost.plugin_config (or the settings option of mmops.mattermost.plugin)',
    'PluginStates': 'plugins are enabled and disabled with the enabled option of mmops.mattermost.plugin',
}


def canonical_request(desired):
    """The desired settings under Mattermost's own key names; settings managed elsewhere or unknown fail."""
    names = dict((name.lower(), name) for name in list(PLUGIN_SETTINGS_SCHEMA['properties']) + list(ELSEWHERE))
    request = {}
    for given, value in (desired or {}).items():
        name = names.get(given.lower())
        if name is None:
            raise SettingsError(
                'PluginSettings has no setting %r this module can change; it changes %s; nothing was changed'
                % (given, ', '.join(PLUGIN_SETTINGS_SCHEMA['properties']))
            )
        if name in ELSEWHERE:
            raise SettingsError('PluginSettings.%s cannot be set with mmops.mattermost.plugin_settings: %s; nothing was changed' % (name, ELSEWHERE[name]))
        if name in request:
            raise SettingsError('PluginSettings.%s is given twice (keys compare case-insensitively)' % name)
        request[name] = value
    return request


def check_settings(current, request):
    """Types and formats of the request, then the combinations it would create; fail on the first problem."""
    validator = jsonschema.Draft202012Validator(PLUGIN_SETTINGS_SCHEMA)
    for error in sorted(validator.iter_errors(request), key=lambda error: list(error.absolute_path)):
        name = error.absolute_path[0] if error.absolute_path else None
        if name is None:
            raise SettingsError('PluginSettings: %s' % error.message)
        raise SettingsError(
            'PluginSettings.%s must be %s, not %r; nothing was changed' % (name, PLUGIN_SETTINGS_SCHEMA['properties'][name]['description'], request[name])
        )
    after = dict(current, **request)
    for rule in COMBINATIONS:
        if set(rule['when']) & set(request) and not jsonschema.Draft202012Validator(rule['schema']).is_valid(after):
            raise SettingsError('PluginSettings: %s; nothing was changed' % rule['message'])


def signature_warnings(client, current, changes):
    """What turning RequirePluginSignature on will do at the server's next start (seen on Mattermost 10.3 and 11.4):
    every installed plugin whose bundle has no stored signature - installed by upload or from a URL - is removed."""
    if changes.get('RequirePluginSignature') is not True or current.get('RequirePluginSignature') is True:
        return []
    listing = client.get_plugins() or {}
    installed = sorted(plugin['id'] for state in ('active', 'inactive') for plugin in listing.get(state) or [])
    if not installed:
        return []
    return [
        'PluginSettings.RequirePluginSignature is turned on: at its next start Mattermost removes every installed plugin '
        'without a stored signature, that is each one installed by upload or from a URL (Marketplace and signed '
        'prepackaged installs keep theirs). Installed now: %s. Reinstall those from the Marketplace or as signed '
        'prepackaged plugins (mmops.mattermost.prepackaged_plugins) before the server restarts.' % ', '.join(installed)
    ]


def configure_server(client, desired, check_mode=False):
    """The plugin_settings module's whole job: the result dict."""
    request = canonical_request(desired)
    config = client.get_config() or {}
    plugin_settings = config.get('PluginSettings') or {}
    current = dict((name, plugin_settings.get(name)) for name in PLUGIN_SETTINGS_SCHEMA['properties'])
    current['EnableUploads'] = plugin_settings.get('EnableUploads')
    check_settings(current, request)
    changes = dict((name, value) for name, value in request.items() if not same_value(current.get(name), value))
    warnings = signature_warnings(client, current, changes)
    if changes:
        require_api_writable(client, sorted(changes))
        if not check_mode:
            require_config_writable(client, config, 'changing PluginSettings')
            saved = (client.patch_config({'PluginSettings': changes}) or {}).get('PluginSettings') or {}
            kept = sorted(name for name, value in changes.items() if name in saved and not same_value(saved[name], value))
            if kept:
                raise SettingsError(
                    'the server kept %s at its old value after the patch (is ExperimentalSettings.'
                    'RestrictSystemAdmin on?)' % ', '.join('PluginSettings.%s' % name for name in kept)
                )
    after = dict(current, **request)
    after.pop('EnableUploads')
    return dict(
        changed=bool(changes),
        actions=['set PluginSettings.%s to %r' % item for item in sorted(changes.items())],
        settings=after,
        warnings=warnings,
        diff=dict(before=dict((name, current.get(name)) for name in sorted(changes)), after=dict((name, changes[name]) for name in sorted(changes))),
    )
