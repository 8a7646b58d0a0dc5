# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `marketplace_info` listing: through a server, or straight from a Marketplace (public, private or mirror)."""

from ansible_collections.mmops.mattermost.plugins.module_utils import _marketplace as marketplace
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import validate_plugin_id
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import PluginError
from ansible_collections.mmops.mattermost.plugins.module_utils._server import require_marketplace


class ListingRequest:
    """The module's options; `direct` when the server's own listing cannot answer them."""

    def __init__(self, params):
        self.marketplace_url = params.get('marketplace_url')
        self.plugin_id = validate_plugin_id(params['plugin_id']) if params.get('plugin_id') else None
        self.text = (params.get('filter') or '').strip() or None
        self.labels = params.get('labels') or []
        self.server_version = params.get('server_version')
        self.all_versions = params.get('all_versions')
        self.local_only = params.get('local_only')
        self.remote_only = params.get('remote_only')
        # The server's listing has the newest compatible release per id for its own version only.
        self.direct = bool(self.marketplace_url or self.server_version or self.all_versions)
        if self.local_only and self.remote_only:
            raise PluginError('local_only and remote_only exclude each other')
        if self.direct and (self.local_only or self.remote_only):
            raise PluginError(
                'local_only and remote_only apply to the listing through the server, not with marketplace_url, '
                'server_version or all_versions (which read the Marketplace directly)'
            )

    def wanted(self, entry):
        if self.plugin_id and marketplace.entry_id(entry) != self.plugin_id:
            return False
        if self.labels:
            wanted = set(name.lower() for name in self.labels)
            return any(name.lower() in wanted for name in marketplace.label_names(entry))
        return True


def marketplace_listing(request, view=None, client=None):
    """(plugins, facts): the listing for `request`, with installed versions when a server `view` is given.

    Without a view, `client` is the plain HTTP client used to read `request.marketplace_url`.
    """
    if request.direct:
        return _direct(request, view, client or view.client)
    require_marketplace(view)
    remote = bool(view.setting('EnableRemoteMarketplace', True))
    entries = view.client.get_marketplace(plugin_filter=request.plugin_id or request.text, local_only=request.local_only, remote_only=request.remote_only)
    if request.plugin_id and request.text:
        entries = [entry for entry in entries if marketplace.matches(entry, request.text)]
    plugins = [marketplace.describe(entry) for entry in entries if request.wanted(entry)]
    return plugins, dict(
        marketplace_url=view.setting('MarketplaceURL', None), server_version=view.server_version, through_server=True, remote_marketplace=remote
    )


def _direct(request, view, client):
    if view is not None and not request.marketplace_url:
        require_marketplace(view)
    url = request.marketplace_url or (view.setting('MarketplaceURL', None) if view else None) or marketplace.DEFAULT_MARKETPLACE_URL
    server_version = request.server_version or (view.server_version if view else None)
    entries = marketplace.query(
        client, url, plugin_id=request.plugin_id, text=request.text, server_version=server_version, return_all_versions=request.all_versions
    )
    entries = marketplace.select(entries, plugin_id=request.plugin_id, text=request.text, server_version=server_version, all_releases=request.all_versions)
    plugins = [
        marketplace.describe(entry, view.describe(marketplace.entry_id(entry))['version'] if view else None) for entry in entries if request.wanted(entry)
    ]
    return plugins, dict(marketplace_url=url, server_version=server_version, through_server=False, remote_marketplace=True)
