# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server as the modules see it: ServerView (PluginSettings and plugin statuses, read once), and the gates of
its install routes (Marketplace, uploads, download URLs), checked before any write."""

from ansible.module_utils.six.moves.urllib.parse import urlparse

from ansible_collections.mmops.mattermost.plugins.module_utils import _marketplace as marketplace
from ansible_collections.mmops.mattermost.plugins.module_utils._client import redact_url
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import PluginError
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_config import installed_manifests

NODE_STATES = {0: 'not_running', 1: 'starting', 2: 'running', 3: 'failed_to_start', 4: 'failed_to_stay_running', 5: 'stopping'}
RUNNING = 2
FAILED = (3, 4)

HINT_UPLOADS = (
    'PluginSettings.EnableUploads cannot be changed through the API: turn it on with the '
    'mmops.mattermost.plugin_uploads role (config.json, mmomni.yml or the service environment)'
)
HINT_SIGNATURES = (
    'the server only accepts signed Marketplace and prepackaged plugins; install from the Marketplace, '
    'place the bundle with the mmops.mattermost.prepackaged_plugins role, or set RequirePluginSignature '
    'to false with mmops.mattermost.plugin_settings'
)


def node_view(status):
    view = dict(cluster_id=status.get('cluster_id', ''), state=NODE_STATES.get(status.get('state'), 'unknown'), version=status.get('version'))
    if status.get('error'):
        view['error'] = status['error']
    return view


class ServerView:
    """PluginSettings and per-node plugin statuses of one server, read once and kept in step with our writes."""

    def __init__(self, client):
        self.client = client
        config = client.get_config() or {}
        self.settings = config.get('PluginSettings') or {}
        # Mattermost caps every request body at MaxFileSize + 512 bytes (the multipart framing fits in that).
        self.max_upload_size = (config.get('FileSettings') or {}).get('MaxFileSize')
        # The document as read; its ClusterSettings say whether config saves may be refused (require_config_writable).
        self.config = config
        if not self.settings.get('Enable', True):
            raise PluginError(
                'plugins are switched off on %s (PluginSettings.Enable is false): turn them on with '
                'mmops.mattermost.plugin_settings (Enable: true)' % client.base_url
            )
        self.statuses = client.get_plugin_statuses()
        self._listing = None
        self._manifests = None

    def marketplace_entry(self, plugin_id):
        """The entry the server's own Marketplace install would use (its newest compatible release), or None.

        From the server's listing, which merges prepackaged and installed plugins and asks the Marketplace with the
        server's own version; read once per run, however many plugins ask.
        """
        if self._listing is None:
            self._listing = marketplace.server_listing(self.client)
        return self._listing.get(plugin_id)

    def installed_manifest(self, plugin_id):
        """An installed plugin's manifest (with its settings_schema), from one GET /plugins per run; None if not installed."""
        if self._manifests is None:
            self._manifests = installed_manifests(self.client)
        return self._manifests.get(plugin_id)

    def refresh_statuses(self):
        self.statuses = self.client.get_plugin_statuses()
        return self.statuses

    @property
    def server_version(self):
        return self.client.server_version

    def setting(self, name, default=False):
        return self.settings.get(name, default)

    def enabled(self, plugin_id):
        return bool(((self.settings.get('PluginStates') or {}).get(plugin_id) or {}).get('Enable'))

    def set_enabled(self, plugin_id, enabled):
        self.settings.setdefault('PluginStates', {})[plugin_id] = {'Enable': enabled}

    def plugin_ids(self):
        seen = []
        for status in self.statuses:
            if status.get('plugin_id') not in seen:
                seen.append(status.get('plugin_id'))
        return seen

    def cluster_ids(self):
        seen = []
        for status in self.statuses:
            if status.get('cluster_id', '') not in seen:
                seen.append(status.get('cluster_id', ''))
        return seen

    def describe(self, plugin_id):
        """The `plugin` return value: id, name, version, enabled, installed, nodes."""
        entries = [status for status in self.statuses if status.get('plugin_id') == plugin_id]
        if not entries:
            return dict(id=plugin_id, name=None, version=None, enabled=self.enabled(plugin_id), installed=False, nodes=[])
        return dict(
            id=plugin_id,
            name=entries[0].get('name'),
            version=entries[0].get('version'),
            enabled=self.enabled(plugin_id),
            installed=True,
            nodes=[node_view(status) for status in entries],
        )

    def start_progress(self, targets):
        """For {plugin_id: version}: (nodes still starting, nodes that failed), each as (plugin_id, cluster_id, detail)."""
        pending, failed = [], []
        for plugin_id, version in targets.items():
            by_node = dict((status.get('cluster_id', ''), status) for status in self.statuses if status.get('plugin_id') == plugin_id)
            for cluster_id in self.cluster_ids():
                status = by_node.get(cluster_id)
                if status is None or not marketplace.same_version(status.get('version'), version):
                    pending.append((plugin_id, cluster_id, 'not installed at %s yet' % version))
                elif status.get('state') in FAILED:
                    failed.append((plugin_id, cluster_id, '%s: %s' % (NODE_STATES[status['state']], status.get('error') or 'no error text')))
                elif status.get('state') != RUNNING:
                    pending.append((plugin_id, cluster_id, NODE_STATES.get(status.get('state'), 'unknown')))
        return pending, failed


# The server settings that decide which install routes are open, checked before any write.


def require_marketplace(view):
    if not view.setting('EnableMarketplace', True):
        raise PluginError(
            'the Marketplace is switched off on %s (PluginSettings.EnableMarketplace is false): turn it on '
            'with mmops.mattermost.plugin_settings, or install with source=url or source=file' % view.client.base_url
        )


def require_uploads(view, what):
    if view.setting('RequirePluginSignature'):
        raise PluginError('%s is refused by %s because PluginSettings.RequirePluginSignature is true: %s' % (what, view.client.base_url, HINT_SIGNATURES))
    if not view.setting('EnableUploads'):
        raise PluginError(
            '%s needs custom plugin uploads, which are switched off on %s (PluginSettings.EnableUploads '
            'is false). %s' % (what, view.client.base_url, HINT_UPLOADS)
        )


def require_secure_url(view, url):
    """Mattermost's rule for a download URL; applied to every redirect hop of a download as well."""
    parts = urlparse(url)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise PluginError('%r is not an http(s) URL' % redact_url(url))
    if parts.scheme == 'http' and not view.setting('AllowInsecureDownloadURL'):
        raise PluginError(
            '%s is plain http, which Mattermost refuses unless PluginSettings.AllowInsecureDownloadURL '
            'is true; use https or set AllowInsecureDownloadURL with mmops.mattermost.plugin_settings' % redact_url(url)
        )
