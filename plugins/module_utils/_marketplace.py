# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the Marketplace: as the server sees it, and straight from the Marketplace service."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.mmops.mattermost.plugins.module_utils._version import compare_versions

DEFAULT_MARKETPLACE_URL = 'https://api.integrations.mattermost.com'


def entry_version(entry):
    return (entry.get('manifest') or {}).get('version')


def entry_id(entry):
    return ((entry.get('manifest') or {}).get('id') or '').lower()


def same_version(left, right):
    """Equal as Mattermost compares versions (build metadata ignored); plain text equality if either is not semver."""
    if left is None or right is None:
        return left == right
    try:
        return compare_versions(left, right) == 0
    except ValueError:
        return left == right


def server_entry(client, plugin_id):
    """The entry the server's own Marketplace install would use for this id (newest compatible), or None.

    It comes from the server's listing, which already merges prepackaged and installed plugins and asks
    the Marketplace with the server's own version.
    """
    for entry in client.get_marketplace(plugin_filter=plugin_id):
        if entry_id(entry) == plugin_id:
            return entry
    return None


def server_listing(client):
    """{id: entry} for the whole listing as the server sees it."""
    return dict((entry_id(entry), entry) for entry in client.get_marketplace())


def all_versions(client, marketplace_url, plugin_id):
    """Every release of one plugin straight from the Marketplace service, newest first, whatever the server version."""
    url = (marketplace_url or DEFAULT_MARKETPLACE_URL).rstrip('/') + '/api/v1/plugins'
    entries = client.get_json(url, params={'plugin_id': plugin_id, 'return_all_versions': 'true', 'per_page': -1,
                                           'enterprise_plugins': 'true'}) or []
    return [entry for entry in entries if entry_id(entry) == plugin_id]
