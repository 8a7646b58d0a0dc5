# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server as the modules see it: ServerView (PluginSettings and plugin statuses, read once), and the setting
gates that refuse a change the server would refuse, before any write."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.six.moves.urllib.parse import urlparse

from ansible_collections.mmops.mattermost.plugins.module_utils import _marketplace as marketplace
from ansible_collections.mmops.mattermost.plugins.module_utils._client import HINT_READ_ONLY_CONFIG, MattermostAPIError
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import PluginError, SettingsError

NODE_STATES = {0: 'not_running', 1: 'starting', 2: 'running', 3: 'failed_to_start', 4: 'failed_to_stay_running', 5: 'stopping'}
RUNNING = 2
FAILED = (3, 4)

HINT_UPLOADS = ('PluginSettings.EnableUploads cannot be changed through the API: turn it on with the '
                'mmops.mattermost.plugin_uploads role (config.json, mmomni.yml or the service environment)')
HINT_SIGNATURES = ('the server only accepts signed Marketplace and prepackaged plugins; install from the Marketplace, '
                   'place the bundle with the mmops.mattermost.prepackaged_plugins role, or set RequirePluginSignature '
                   'to false with mmops.mattermost.plugin_settings')


def installed_manifests(client):
    """{id: manifest (with settings_schema)} of the installed plugins, from GET /plugins."""
    listing = client.get_plugins() or {}
    return dict(((manifest.get('id') or '').lower(), manifest) for manifest in (listing.get('active') or []) + (listing.get('inactive') or []))


def installed_manifest(client, plugin_id):
    """The manifest of one installed plugin; None when not installed."""
    return installed_manifests(client).get(plugin_id)


def node_view(status):
    view = dict(cluster_id=status.get('cluster_id', ''), state=NODE_STATES.get(status.get('state'), 'unknown'),
                version=status.get('version'))
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
        # Enable and ReadOnlyConfig: whether config saves (enable, disable, remove, settings) may be refused.
        self.cluster_settings = config.get('ClusterSettings') or {}
        if not self.settings.get('Enable', True):
            raise PluginError('plugins are switched off on %s (PluginSettings.Enable is false): turn them on with '
                              'mmops.mattermost.plugin_settings (Enable: true)' % client.base_url)
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
        return dict(id=plugin_id, name=entries[0].get('name'), version=entries[0].get('version'),
                    enabled=self.enabled(plugin_id), installed=True, nodes=[node_view(status) for status in entries])

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
        raise PluginError('the Marketplace is switched off on %s (PluginSettings.EnableMarketplace is false): turn it on '
                          'with mmops.mattermost.plugin_settings, or install with source=url or source=file'
                          % view.client.base_url)


def require_uploads(view, what):
    if view.setting('RequirePluginSignature'):
        raise PluginError('%s is refused by %s because PluginSettings.RequirePluginSignature is true: %s'
                          % (what, view.client.base_url, HINT_SIGNATURES))
    if not view.setting('EnableUploads'):
        raise PluginError('%s needs custom plugin uploads, which are switched off on %s (PluginSettings.EnableUploads '
                          'is false). %s' % (what, view.client.base_url, HINT_UPLOADS))


def require_secure_url(view, url):
    parts = urlparse(url)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise PluginError('%r is not an http(s) URL' % url)
    if parts.scheme == 'http' and not view.setting('AllowInsecureDownloadURL'):
        raise PluginError('%s is plain http, which Mattermost refuses unless PluginSettings.AllowInsecureDownloadURL '
                          'is true; use https or set AllowInsecureDownloadURL with mmops.mattermost.plugin_settings' % url)


def same_value(left, right):
    """JSON equality: true is not 1, even though Python says so."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return left == right


def env_var(name):
    return 'MM_PLUGINSETTINGS_%s' % name.upper()


def require_api_writable(client, names):
    """Fail when an MM_ environment variable on the server holds one of these PluginSettings: the API cannot change it."""
    overridden = (client.get_config_environment() or {}).get('PluginSettings') or {}
    blocked = [name for name in names if overridden.get(name)]
    if blocked:
        raise SettingsError('%s set by the environment of the Mattermost server (%s), which wins over the API: change %s '
                            'where the service environment is defined (systemd unit, environment file, or mmomni.yml on '
                            'omnibus), then restart the server; nothing was changed'
                            % (', '.join('PluginSettings.%s is' % name for name in blocked),
                               ', '.join(env_var(name) for name in blocked),
                               'it' if len(blocked) == 1 else 'them'))


READ_ONLY_CONFIG_ERROR = 'ent.cluster.save_config.error'


def require_config_writable(client, cluster, what):
    """Fail before any write when the server cannot save its config: a high-availability cluster (ClusterSettings.Enable)
    with ReadOnlyConfig (Mattermost's default) and the file config store refuses every save (403
    ent.cluster.save_config.error), so enable, disable, remove and settings changes cannot work.

    `cluster` is the ClusterSettings of GET /config. The API does not tell the store, so only a cluster with both flags
    is asked, with an empty patch: Mattermost saves the unchanged config (nothing changes, no listener runs) or refuses
    it exactly as it would refuse our change.
    """
    if not (cluster.get('Enable') and cluster.get('ReadOnlyConfig', True)):
        return
    try:
        client.patch_config({})
    except MattermostAPIError as exc:
        if exc.error_id != READ_ONLY_CONFIG_ERROR:
            raise
        raise SettingsError('%s needs a config save, and %s refuses every one: it is a high-availability cluster '
                            '(ClusterSettings.Enable) with ClusterSettings.ReadOnlyConfig true and its config in '
                            'config.json (the file config store), answering %s. To manage plugins through the API, %s; '
                            'nothing was changed' % (what, client.base_url, READ_ONLY_CONFIG_ERROR, HINT_READ_ONLY_CONFIG),
                            status=exc.status, error_id=exc.error_id, setting='ClusterSettings.ReadOnlyConfig')
