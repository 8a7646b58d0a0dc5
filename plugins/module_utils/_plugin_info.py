# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the plugin_info module reports: the installed plugins, as the server's view shows them."""

from ansible_collections.mmops.mattermost.plugins.module_utils import _marketplace as marketplace
from ansible_collections.mmops.mattermost.plugins.module_utils._server import require_marketplace


def inventory(view, plugin_id=None, check_updates=False):
    """The `plugin_info` list: every installed plugin (or one), with the Marketplace's newest compatible version if asked."""
    plugins = [view.describe(found) for found in view.plugin_ids() if plugin_id in (None, found)]
    for plugin in plugins:
        plugin['running'] = bool(plugin['nodes']) and all(node['state'] == 'running' for node in plugin['nodes'])
    if check_updates:
        require_marketplace(view)
        for plugin in plugins:
            entry = view.marketplace_entry(plugin['id']) or {}
            latest = marketplace.entry_version(entry)
            plugin['latest_version'] = latest
            plugin['latest_labels'] = marketplace.label_names(entry)
            plugin['update_available'] = marketplace.newer(latest, plugin['version'])
    return plugins
