#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: plugin_settings
short_description: Set the server-wide plugin settings (PluginSettings) of a Mattermost server
version_added: 0.1.0
description:
  - Sets the server-wide C(PluginSettings) of a Mattermost server through C(PUT /api/v4/config/patch), sending only
    the settings that differ.
  - Before anything is sent, the settings are checked with a JSON Schema shipped with the collection (types, URL
    formats) and against the combinations Mattermost forbids or that make no sense, judged on the settings as they
    would be after the change.
  - C(EnableUploads) and C(SignaturePublicKeyFiles) cannot be changed here; asking for them fails and names the
    C(mmops.mattermost.plugin_uploads) role and the M(mmops.mattermost.plugin_key) module, which can.
    C(Plugins) and C(PluginStates) belong to M(mmops.mattermost.plugin_config) and M(mmops.mattermost.plugin).
  - A setting overridden on the server by an C(MM_PLUGINSETTINGS_*) environment variable cannot be changed through the
    API; changing one fails, naming the variable.
  - A run with nothing to change costs one read (the configuration). A change adds one read of
    C(GET /api/v4/config/environment) and the write.
author:
  - mmops maintainers (@mmops)
options:
  settings:
    description:
      - C(PluginSettings) keys (as in C(config.json); compared case-insensitively) and their values.
      - V(Enable), V(AllowInsecureDownloadURL), V(EnableHealthCheck), V(EnableMarketplace),
        V(EnableRemoteMarketplace), V(AutomaticPrepackagedPlugins), V(RequirePluginSignature) take V(true) or V(false).
      - V(MarketplaceURL) takes an http(s) URL (not the retired C(https://marketplace.integrations.mattermost.com),
        which Mattermost replaces with its default); it needs V(EnableMarketplace) and V(EnableRemoteMarketplace)
        true after the change.
      - V(RequirePluginSignature=true) is refused while the server has custom uploads on (C(EnableUploads));
        turn them off first with the C(mmops.mattermost.plugin_uploads) role. Turning it on with plugins installed
        warns, because at its next start Mattermost removes every plugin installed by upload or from a URL (they have
        no stored signature).
      - V(EnableRemoteMarketplace=true) needs V(EnableMarketplace) true after the change.
      - V(Directory) and V(ClientDirectory) take a non-empty path (read when plugins start, so restart the server after changing them).
      - V(ChimeraOAuthProxyURL) takes an http(s) URL or an empty string.
    type: dict
    required: true
extends_documentation_fragment:
  - mmops.mattermost.connection
  - mmops.mattermost.attributes
  - mmops.mattermost.attributes.ACTIONGROUP_API
  - mmops.mattermost.attributes.IN_PROCESS
attributes:
  check_mode:
    details: Reads the configuration (and, when something would change, the environment overrides); sends no write.
requirements:
  - jsonschema (on the host the module runs on)
notes:
  - With C(ExperimentalSettings.RestrictSystemAdmin) on, Mattermost ignores changes to these settings; the module
    compares the server's answer with what it sent and fails naming the settings that were kept.
  - On a high-availability cluster (C(ClusterSettings.Enable)) with C(ClusterSettings.ReadOnlyConfig) true (the
    default), Mattermost's file config store refuses every config save. Before its first write, a run that changes
    settings sends an empty C(PUT /api/v4/config/patch), which such a server refuses as it would the change (elsewhere
    it changes nothing), and fails naming C(ClusterSettings.ReadOnlyConfig) and the way out (the database config store,
    or C(ReadOnlyConfig) false on every node). Not in check mode; a run that changes nothing sends no such request.
seealso:
  - module: mmops.mattermost.plugin_config
  - module: mmops.mattermost.plugin
"""

EXAMPLES = r"""
- name: Use a private Marketplace and keep the plugin health check on
  mmops.mattermost.plugin_settings:
    settings:
      EnableMarketplace: true
      EnableRemoteMarketplace: true
      MarketplaceURL: "{{ private_marketplace_url }}"
      EnableHealthCheck: true

- name: Only offer prepackaged plugins in the Marketplace, installed automatically when enabled
  mmops.mattermost.plugin_settings:
    settings:
      EnableRemoteMarketplace: false
      AutomaticPrepackagedPlugins: true
"""

RETURN = r"""
settings:
  description: The C(PluginSettings) this module manages, after the run (predicted in check mode).
  returned: always
  type: dict
  sample: {Enable: true, EnableMarketplace: true, EnableRemoteMarketplace: true, MarketplaceURL: "https://marketplace.example.com",
           AllowInsecureDownloadURL: false, EnableHealthCheck: true, AutomaticPrepackagedPlugins: true,
           RequirePluginSignature: false, Directory: ./plugins, ClientDirectory: ./client/plugins, ChimeraOAuthProxyURL: ""}
actions:
  description: The settings changed (or that would be changed in check mode).
  returned: always
  type: list
  elements: str
  sample: ["set PluginSettings.MarketplaceURL to 'https://marketplace.example.com'"]
diff:
  description: The changed settings before and after.
  returned: in diff mode (C(--diff))
  type: dict
  sample: {before: {MarketplaceURL: "https://api.integrations.mattermost.com"}, after: {MarketplaceURL: "https://marketplace.example.com"}}
status:
  description: HTTP status of a failed Mattermost request.
  returned: on failure of a request
  type: int
  sample: 403
error_id:
  description: Mattermost's error id of a failed request.
  returned: on failure of a request that Mattermost answered with an error body
  type: str
  sample: api.config.update_config.not_allowed_security.app_error
request:
  description: Method and path of the failed request.
  returned: on failure of a request
  type: str
  sample: PUT /api/v4/config/patch
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.mmops.mattermost.plugins.module_utils import _plugin_settings
from ansible_collections.mmops.mattermost.plugins.module_utils._client import MattermostClient
from ansible_collections.mmops.mattermost.plugins.module_utils._module import api_spec, run_module

SPEC = api_spec(dict(settings=dict(type='dict', required=True)))


def run(module):
    if not _plugin_settings.HAS_JSONSCHEMA:
        module.fail_json(msg=missing_required_lib('jsonschema'), exception=_plugin_settings.JSONSCHEMA_IMPORT_ERROR)
    result = _plugin_settings.configure_server(MattermostClient.from_module(module), module.params['settings'], module.check_mode)
    for warning in result.pop('warnings'):
        module.warn(warning)
    return result


def main():
    run_module(SPEC, run)


if __name__ == '__main__':
    main()
