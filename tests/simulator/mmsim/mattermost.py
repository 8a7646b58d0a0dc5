"""The simulated Mattermost server: config, cluster nodes, installed plugins, and the API's rules.

Each rule cites the Mattermost source file it follows (paths in github.com/mattermost/mattermost).
Handlers raise AppError for Mattermost's JSON errors.
"""

import base64
import copy
import hashlib
import io
import json
import os
import posixpath
import re
import secrets
import ssl
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import yaml

from mmsim import catalog, prepackaged, semver

FAKE_SETTING = '*' * 32
MANIFEST_NAMES = ('plugin.yml', 'plugin.yaml', 'plugin.json')
RUNNING, NOT_RUNNING, FAILED_TO_START = 2, 0, 3
PLUGIN_ID_RULE = r'^[a-zA-Z0-9-_\.]+$'
CONFIG_STORES = ('file', 'database')


class AppError(Exception):
    """model.AppError: answered as {"id", "message", "detailed_error", "request_id", "status_code"}."""

    def __init__(self, status, error_id, message, detailed_error=''):
        super().__init__(message)
        self.status, self.error_id, self.message, self.detailed_error = status, error_id, message, detailed_error

    def body(self, request_id=''):
        return {'id': self.error_id, 'message': self.message, 'detailed_error': self.detailed_error, 'request_id': request_id, 'status_code': self.status}


class PlainError(Exception):
    """Go's http.Error: a plain-text answer (some multipart failures of uploadPlugin, server/channels/api4/plugin.go)."""

    def __init__(self, status, text):
        super().__init__(text)
        self.status, self.text = status, text


def status_ok():
    return 200, {'status': 'OK'}


def deep_merge(base, change):
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key not in ('Plugins', 'PluginStates'):
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def node_id(index):
    return hashlib.sha256(b'mmsim-node-%d' % index).hexdigest()[:26]


class NodeCopy:
    """A plugin unpacked on one node; `active_from` is when activation finishes if the plugin is enabled."""

    def __init__(self, manifest, bundle, active_from, stored=True):
        self.manifest, self.bundle, self.active_from = manifest, bundle, active_from
        # In the file store (plugins/<id>.tar.gz), so a removal reaches every node; a plugin a node installed from its
        # own prepackaged_plugins directory at start-up is not (server/channels/app/plugin_install.go).
        self.stored = stored


class Server:
    """One Mattermost deployment: a single server, or a cluster whose first node answers the API."""

    def __init__(self, marketplace):
        self.marketplace = marketplace
        self.token = secrets.token_hex(13)
        self.tokens = {self.token}
        self.reset({})

    # --- scenario -----------------------------------------------------------------------------

    def reset(self, overrides):
        scenario = catalog.load_json('scenario-default.json')
        config = {'PluginSettings': catalog.load_json('plugin-settings-defaults.json')['PluginSettings']}
        deep_merge(config, scenario['config'])
        config['PluginSettings']['MarketplaceURL'] = self.marketplace.base_url
        count = int(overrides.get('nodes', scenario['nodes']))
        config['ClusterSettings']['Enable'] = count > 1
        deep_merge(config, overrides.get('config', {}))
        # Settings held by MM_* environment variables, as {section: {key: value}}: they win over the stored config.
        self.environment = copy.deepcopy(overrides.get('environment', {}))
        deep_merge(config, self.environment)
        self.config = config
        # Single servers keep config.json; a multi-node cluster defaults to the database store, the one that lets
        # an HA cluster save its config through the API (a file store with ReadOnlyConfig refuses, server/config/store.go).
        self.config_store = overrides.get('config_store', 'file' if count == 1 else 'database')
        if self.config_store not in CONFIG_STORES:
            raise ValueError('config_store must be one of %s' % ', '.join(CONFIG_STORES))
        self.version = overrides.get('server_version', scenario['server_version'])
        self.start_delay = float(overrides.get('start_delay', scenario['start_delay']))
        self.node_stagger = float(overrides.get('node_stagger', scenario['node_stagger']))
        self.sync_delay = float(overrides.get('sync_delay', scenario['sync_delay']))
        self.nodes = [node_id(i) for i in range(count)] if count > 1 else ['']
        self.copies = dict((node, {}) for node in self.nodes)
        # What each other node holds in memory; the answering node's is self.config (configReload, server/channels/api4/config.go: a reload is local).
        self.peer_configs = dict((node, copy.deepcopy(config)) for node in self.nodes[1:])
        # Copies other nodes pull from the file store after sync_delay: (due, node, id, NodeCopy or None).
        self.pending = []
        self.tokens = {self.token} | set(overrides.get('tokens', []))
        # Real directories: prepackaged bundles (read at each simulated restart) and the trusted key files.
        self.prepackaged_dir = overrides.get('prepackaged_dir')
        self.config_dir = overrides.get('config_dir')
        self.prepackaged_bundles = prepackaged.scan(self.prepackaged_dir, read_bundle_manifest)
        for plugin in overrides.get('installed', []):
            entry = self.marketplace.release(plugin['id'], plugin['version'])
            if entry is None:
                raise ValueError('no catalog release %(id)s %(version)s to pre-install' % plugin)
            bundle = self.marketplace.bundle('%(id)s-%(version)s.tar.gz' % plugin)
            manifest = dict(entry['manifest'], **entry.get('bundle_manifest', {}))
            for node in self.nodes:
                self.copies[node][plugin['id']] = NodeCopy(manifest, bundle, 0, stored=not plugin.get('prepackaged'))
            self.settings['PluginStates'][plugin['id']] = {'Enable': bool(plugin.get('enabled'))}
        self.share_config()

    @property
    def settings(self):
        return self.config['PluginSettings']

    def version_header(self):
        return '%s.%s.%s.false' % (self.version, self.version, hashlib.md5(self.version.encode()).hexdigest()[:8])

    def authenticated(self, headers, query):
        """Token lookup order of ParseAuthTokenFromRequest (server/channels/app/authentication.go)."""
        cookies = dict(part.strip().split('=', 1) for part in (headers.get('Cookie') or '').split(';') if '=' in part)
        token = cookies.get('MMAUTHTOKEN')
        auth = headers.get('Authorization') or ''
        if not token and auth[:7].lower() == 'bearer ':
            token = auth[7:]
        elif not token and auth[:6].lower() == 'token ':
            token = auth[6:]
        token = token or (query.get('access_token') or [None])[0]
        return token in self.tokens

    # --- time-driven cluster behaviour --------------------------------------------------------

    def settle(self):
        """Apply the copies other nodes have pulled from the file store by now."""
        now = time.time()
        due = [item for item in self.pending if item[0] <= now]
        self.pending = [item for item in self.pending if item[0] > now]
        for dummy, node, plugin_id, node_copy in due:
            if node_copy is None:
                self.copies[node].pop(plugin_id, None)
            else:
                node_copy.active_from = max(node_copy.active_from, time.time() + self.start_delay)
                self.copies[node][plugin_id] = node_copy

    def enabled(self, plugin_id):
        return bool((self.settings.get('PluginStates') or {}).get(plugin_id, {}).get('Enable'))

    def node_status(self, node, plugin_id):
        """(state, error) of a plugin on a node, from enablement, activation delay and min_server_version."""
        node_copy = self.copies[node][plugin_id]
        if not self.settings.get('Enable') or not self.enabled(plugin_id) or time.time() < node_copy.active_from:
            return NOT_RUNNING, ''
        minimum = node_copy.manifest.get('min_server_version')
        if minimum:
            try:
                too_old = semver.parse(minimum) > semver.parse(self.version)
            except ValueError:
                return FAILED_TO_START, 'failed to parse MinServerVersion: %s' % plugin_id
            if too_old:
                return FAILED_TO_START, 'plugin requires Mattermost %s: %s' % (minimum, plugin_id)
        if not node_copy.manifest.get('server') and not node_copy.manifest.get('webapp'):
            return FAILED_TO_START, 'plugin must at least have a web app or server component: %s' % plugin_id
        return RUNNING, ''

    def activation_time(self, node):
        return time.time() + self.start_delay + self.node_stagger * self.nodes.index(node)

    # --- gates (the PluginSettings checks atop each handler, server/channels/api4/plugin.go) ---

    def require_plugins(self):
        if not self.settings.get('Enable'):
            raise AppError(501, 'app.plugin.disabled.app_error', 'Plugins have been disabled. Please check your logs for details.')

    def require_marketplace(self):
        self.require_plugins()
        if not self.settings.get('EnableMarketplace'):
            raise AppError(501, 'app.plugin.marketplace_disabled.app_error', 'Marketplace has been disabled. Please check your logs for details.')

    # --- the config store (server/config/store.go; tests/simulator/README.md, Cluster rules) ------------------------------------------------------------------

    def read_only(self, config):
        """FileStore.Set: a cluster's file store refuses to save a config with ClusterSettings.Enable and ReadOnlyConfig
        (the flag of the config being saved is checked); the database store saves anyway."""
        cluster = config.get('ClusterSettings') or {}
        return self.config_store == 'file' and bool(cluster.get('Enable')) and cluster.get('ReadOnlyConfig', True) is not False

    def save(self, new_config):
        """PlatformService.SaveConfig from the answering node: refused on a read-only file store, else stored and sent
        to the other nodes (the cluster's config-changed event)."""
        if self.read_only(new_config):
            raise AppError(
                403,
                'ent.cluster.save_config.error',
                'The System Console is set to read-only when High Availability is enabled unless ReadOnlyConfig is disabled in the configuration file.',
            )
        self.config = new_config
        self.share_config()

    def share_config(self):
        for node in self.peer_configs:
            self.peer_configs[node] = copy.deepcopy(self.config)

    def save_from_node(self, index):
        """A config save on node `index` (its System Console, say): that node's memory goes to the store and to every
        node, so what a reload gave only the answering node is lost; the file store also rewrites
        SignaturePublicKeyFiles in <config_dir>/config.json."""
        if not 0 <= index < len(self.nodes):
            raise ValueError('node must be 0..%d' % (len(self.nodes) - 1))
        memory = self.config if index == 0 else self.peer_configs[self.nodes[index]]
        self.save(copy.deepcopy(memory))
        path = os.path.join(self.config_dir or '', 'config.json')
        if self.config_store == 'file' and self.config_dir and os.path.isfile(path):
            with open(path) as handle:
                stored = json.load(handle)
            stored.setdefault('PluginSettings', {})['SignaturePublicKeyFiles'] = self.settings.get('SignaturePublicKeyFiles') or []
            with open(path, 'w') as handle:
                json.dump(stored, handle, indent=4)
        return status_ok()

    def save_plugin_state(self, plugin_id, enable):
        """Enable/disable's config save (EnablePlugin, DisablePlugin in server/channels/app/plugin.go): only enable turns
        the read-only refusal into its cluster error."""
        new_config = copy.deepcopy(self.config)
        new_config['PluginSettings'].setdefault('PluginStates', {})[plugin_id] = {'Enable': enable}
        try:
            self.save(new_config)
        except AppError as exc:
            if enable and exc.error_id == 'ent.cluster.save_config.error':
                raise AppError(
                    500,
                    'app.plugin.cluster.save_config.app_error',
                    'The plugin configuration in your config.json file cannot be updated via API when High '
                    'Availability is enabled, unless ReadOnlyConfig is disabled.',
                )
            raise AppError(500, 'app.plugin.config.app_error', 'Error saving plugin state in config.', exc.message)

    def uploads_open(self):
        return self.settings.get('Enable') and self.settings.get('EnableUploads') and not self.settings.get('RequirePluginSignature')

    # --- plugin routes ------------------------------------------------------------------------

    def statuses(self):
        """GET /plugins/statuses (getPluginStatuses, server/channels/api4/plugin.go): one entry per plugin per node, the answering node first."""
        self.require_plugins()
        result = []
        for node in self.nodes:
            for plugin_id, node_copy in self.copies[node].items():
                state, error = self.node_status(node, plugin_id)
                result.append(
                    {
                        'plugin_id': plugin_id,
                        'cluster_id': node,
                        'plugin_path': '/opt/mattermost/plugins/%s' % plugin_id,
                        'state': state,
                        'error': error,
                        'name': node_copy.manifest.get('name', ''),
                        'description': node_copy.manifest.get('description', ''),
                        'version': node_copy.manifest.get('version', ''),
                    }
                )
        return 200, result

    def list_plugins(self):
        """GET /plugins (getPlugins, server/channels/api4/plugin.go): manifests of the answering node, active or not."""
        self.require_plugins()
        active, inactive = [], []
        for plugin_id, node_copy in self.copies[self.nodes[0]].items():
            running = self.node_status(self.nodes[0], plugin_id)[0] == RUNNING
            (active if running else inactive).append(copy.deepcopy(node_copy.manifest))
        return 200, {'active': active, 'inactive': inactive}

    def webapp_plugins(self):
        """GET /plugins/webapp (getWebappPlugins, server/channels/api4/plugin.go): client manifests of active plugins with a webapp."""
        self.require_plugins()
        result = []
        for plugin_id, node_copy in self.copies[self.nodes[0]].items():
            manifest = node_copy.manifest
            if manifest.get('webapp') and self.node_status(self.nodes[0], plugin_id)[0] == RUNNING:
                digest = hashlib.sha256(node_copy.bundle).hexdigest()[:16]
                result.append(
                    {
                        'id': plugin_id,
                        'name': '',
                        'description': '',
                        'version': manifest.get('version', ''),
                        'webapp': {'bundle_path': '/static/%s/%s_%s_bundle.js' % (plugin_id, plugin_id, digest)},
                    }
                )
        return 200, result

    def upload(self, content_type, body, max_size_exceeded):
        """POST /plugins (uploadPlugin, server/channels/api4/plugin.go): multipart with the bundle in part `plugin`, optional `force`."""
        if not self.uploads_open():
            raise AppError(501, 'app.plugin.upload_disabled.app_error', 'Plugins and/or plugin uploads have been disabled.')
        if max_size_exceeded:
            raise AppError(413, 'api.plugin.upload.file_too_large.app_error', 'Unable to upload file. File is too large.')
        fields, files = parse_multipart(content_type, body)
        if not files and not fields:
            raise AppError(400, 'api.plugin.upload.array.app_error', 'File array is empty in request')
        if 'plugin' not in files:
            raise AppError(400, 'api.plugin.upload.no_file.app_error', 'Missing file in multipart/form request')
        force = (fields.get('force') or [''])[0] == 'true'
        return 201, self.install(files['plugin'], replace=force)

    def install_from_url(self, query):
        """POST /plugins/install_from_url (installPluginFromURL, server/channels/api4/plugin.go): the server downloads the bundle itself."""
        if not self.uploads_open():
            raise AppError(501, 'app.plugin.disabled.app_error', 'Plugins have been disabled. Please check your logs for details.')
        url = (query.get('plugin_download_url') or [''])[0]
        force = (query.get('force') or ['false'])[0] in ('1', 't', 'T', 'TRUE', 'true', 'True')
        try:
            bundle = self.download(url)
        except DownloadError as exc:
            raise AppError(400, 'api.plugin.install.download_failed.app_error', 'An error occurred while downloading the plugin.', str(exc))
        return 201, self.install(bundle, replace=force)

    def download(self, url):
        """Server.downloadFromURL: http(s) only, https unless AllowInsecureDownloadURL, non-2xx fails."""
        parts = urllib.parse.urlparse(url)
        if parts.scheme not in ('http', 'https') or not parts.netloc:
            raise DownloadError('invalid url %r' % url)
        if parts.scheme != 'https' and not self.settings.get('AllowInsecureDownloadURL'):
            raise DownloadError('insecure url not allowed %s' % url)
        return fetch(url)

    def install(self, bundle, replace):
        """App.InstallPlugin (server/channels/app/plugin_install.go): extract, find the manifest, check the id, replace or refuse, copy to every node."""
        self.require_plugins()
        manifest = read_bundle_manifest(bundle)
        plugin_id = manifest['id']
        here = self.copies[self.nodes[0]]
        if plugin_id in here and not replace:
            raise AppError(400, 'app.plugin.install_id.app_error', 'Unable to install plugin. A plugin with the same ID is already installed.')
        here[plugin_id] = NodeCopy(manifest, bundle, self.activation_time(self.nodes[0]))
        # Other nodes hear the cluster event and pull the bundle from the file store (server/channels/app/plugin_install.go, cluster_handlers.go).
        self.pending = [item for item in self.pending if item[2] != plugin_id]
        for node in self.nodes[1:]:
            self.pending.append((time.time() + self.sync_delay, node, plugin_id, NodeCopy(manifest, bundle, 0)))
        return manifest

    def remove(self, plugin_id):
        """DELETE /plugins/{id} (removePlugin, server/channels/api4/plugin.go): disabled first (a config save), then removed here; the other nodes remove it
        only when its bundle was in the file store, so one a node installed from prepackaged_plugins stays on them."""
        self.require_plugins()
        if plugin_id not in self.copies[self.nodes[0]]:
            raise AppError(404, 'app.plugin.not_installed.app_error', 'Plugin is not installed.')
        self.save_plugin_state(plugin_id, False)
        self.pending = [item for item in self.pending if item[2] != plugin_id]
        stored = self.copies[self.nodes[0]].pop(plugin_id).stored
        for node in self.nodes[1:] if stored else []:
            self.copies[node].pop(plugin_id, None)
        return status_ok()

    def set_enabled(self, plugin_id, enable):
        """POST /plugins/{id}/enable|disable (enablePlugin, disablePlugin, server/channels/api4/plugin.go): a config change; each node then (de)activates."""
        self.require_plugins()
        plugin_id = plugin_id.lower()
        if plugin_id not in self.copies[self.nodes[0]]:
            raise AppError(404, 'app.plugin.not_installed.app_error', 'Plugin is not installed.')
        was_enabled = self.enabled(plugin_id)
        self.save_plugin_state(plugin_id, enable)
        if enable and not was_enabled:
            for node in self.nodes:
                if plugin_id in self.copies[node]:
                    self.copies[node][plugin_id].active_from = self.activation_time(node)
        return status_ok()

    # --- Marketplace through the server (getMarketplacePlugins, installMarketplacePlugin, server/channels/api4/plugin.go) ---

    def marketplace_query(self, params):
        """The server's own request to its Marketplace (server/platform/services/marketplace/client.go)."""
        base = (self.settings.get('MarketplaceURL') or '').rstrip('/')
        query = dict(params, server_version=self.version, platform='linux-amd64', enterprise_plugins='false', cloud='false', build_enterprise_ready='false')
        url = '%s/api/v1/plugins?%s' % (base, urllib.parse.urlencode(query))
        try:
            return json.loads(fetch(url) or b'null') or []
        except (DownloadError, ValueError) as exc:
            raise AppError(500, 'app.plugin.marketplace_client.failed_to_fetch', 'Failed to fetch plugins from the marketplace.', str(exc))

    def marketplace_list(self, query):
        self.require_marketplace()
        first = dict((k, v[0]) for k, v in query.items())
        try:
            int(first.get('page') or 0)
            int(first.get('per_page') or 100)
        except ValueError:
            raise AppError(500, 'app.plugin.marshal.app_error', 'Unable to marshal response.')
        local_only, remote_only = first.get('local_only') == 'true', first.get('remote_only') == 'true'
        if local_only and remote_only:
            raise AppError(500, 'app.plugin.marshal.app_error', 'Unable to marshal response.')
        text = (first.get('filter') or '').strip()
        listing = {}
        if self.settings.get('EnableRemoteMarketplace') and not local_only:
            # As the real server asks (tests/e2e, test_real_marketplace.py): no per_page, so the Marketplace's default
            # page of 100 entries, and no filter, which is applied to the merged listing below.
            params = {'return_all_versions': 'false'}
            for entry in self.marketplace_query(params):
                listing[entry['manifest']['id']] = catalog.for_mattermost(entry)
        if not remote_only:
            # A prepackaged entry replaces a remote one only when it is newer (server/channels/app/plugin.go).
            for local in self.prepackaged_bundles:
                if local.id not in listing or prepackaged.newer(local.version, listing[local.id]['manifest'].get('version', '')):
                    listing[local.id] = local.marketplace_entry()
            for plugin_id, node_copy in self.copies[self.nodes[0]].items():
                if plugin_id in listing:
                    listing[plugin_id]['installed_version'] = node_copy.manifest.get('version', '')
                    continue
                entry = {
                    'homepage_url': '',
                    'icon_data': '',
                    'download_url': '',
                    'release_notes_url': '',
                    'hosting': '',
                    'author_type': '',
                    'release_stage': '',
                    'enterprise': False,
                    'signature': '',
                    'manifest': copy.deepcopy(node_copy.manifest),
                    'installed_version': node_copy.manifest.get('version', ''),
                }
                if self.settings.get('EnableRemoteMarketplace'):
                    entry['labels'] = [{'name': 'Local', 'description': 'This plugin is not listed in the marketplace', 'url': '', 'color': ''}]
                listing[plugin_id] = entry
        result = [entry for entry in listing.values() if not text or catalog.matches(entry['manifest'], text.lower())]
        for entry in result:
            entry.setdefault('installed_version', '')
        result.sort(key=lambda entry: (entry['manifest'].get('name') or '').lower())
        return 200, result or None

    def marketplace_install(self, body):
        self.require_marketplace()
        try:
            request = json.loads(body or b'')
            plugin_id = request['id']
        except (ValueError, KeyError, TypeError):
            raise AppError(501, 'app.plugin.marketplace_plugin_request.app_error', 'Failed to decode the marketplace plugin request.')
        # The requested version is cleared: always the newest compatible one (MM-41981).
        entries = []
        if self.settings.get('EnableRemoteMarketplace'):
            entries = self.marketplace_query({'plugin_id': plugin_id, 'return_all_versions': 'false'})
        local = next((bundle for bundle in self.prepackaged_bundles if bundle.id == plugin_id.lower()), None)
        if local is not None and (len(entries) != 1 or not prepackaged.newer(entries[0]['manifest'].get('version', ''), local.version)):
            return 201, self.install_prepackaged(local)
        if len(entries) != 1:
            raise AppError(500, 'app.plugin.marketplace_plugins.not_found.app_error', 'Could not find the requested marketplace plugin.')
        entry = entries[0]
        if not entry.get('signature'):
            raise AppError(500, 'app.plugin.marketplace_plugins.signature_not_found.app_error', 'Could not find the requested marketplace plugin signature.')
        try:
            bundle = self.download(entry.get('download_url') or '')
        except DownloadError as exc:
            raise AppError(500, 'app.plugin.install_marketplace_plugin.app_error', 'Failed to install marketplace plugin.', str(exc))
        try:
            signature = base64.b64decode(entry['signature'], validate=True)
        except ValueError as exc:
            raise AppError(501, 'app.plugin.signature_decode.app_error', 'Unable to decode base64 signature.', str(exc))
        if signature != catalog.signature_bytes(bundle):
            raise AppError(500, 'api.plugin.verify_plugin.app_error', 'Unable to verify plugin signature.')
        return 201, self.install(bundle, replace=True)

    # --- config (server/channels/api4/config.go) ----------------------------------------------------------------------

    def trusts(self, bundle):
        """Channels.verifyPlugin (server/channels/app/plugin_signature.go) with the keys of SignaturePublicKeyFiles (the built-in key signs nothing here)."""
        keys = prepackaged.key_files(self.config_dir, self.settings.get('SignaturePublicKeyFiles'))
        return prepackaged.verify(bundle.bundle, bundle.signature, keys)

    def install_prepackaged(self, bundle):
        """A Marketplace install served by a prepackaged bundle (server/channels/app/plugin_install.go): signature required and verified."""
        if not bundle.signature:
            raise AppError(500, 'app.plugin.marketplace_plugins.signature_not_found.app_error', 'Could not find the requested marketplace plugin signature.')
        if not self.trusts(bundle):
            raise AppError(500, 'api.plugin.verify_plugin.app_error', 'Unable to verify plugin signature.')
        return self.install(bundle.bundle, replace=True)

    def reread_trusted_keys(self):
        """Reload and restart re-read the config source: SignaturePublicKeyFiles from <config_dir>/config.json, if any."""
        path = os.path.join(self.config_dir or '', 'config.json')
        if self.config_dir and os.path.isfile(path):
            with open(path) as handle:
                names = (json.load(handle).get('PluginSettings') or {}).get('SignaturePublicKeyFiles') or []
            self.settings['SignaturePublicKeyFiles'] = names

    def restart(self):
        """A server restart (its prepackaged plugins, server/channels/app/plugin.go): prepackaged bundles read again, enabled ones installed if allowed.

        With AutomaticPrepackagedPlugins, a bundle whose plugin is already enabled is installed when it is new or an
        upgrade; from 10.11 only with a signature by a trusted key. Every plugin is then activated again.
        """
        self.settle()
        self.reread_trusted_keys()
        self.share_config()  # every node restarts and reads the same source
        self.prepackaged_bundles = prepackaged.scan(self.prepackaged_dir, read_bundle_manifest)
        verified = semver.parse(self.version) >= prepackaged.VERIFIED_AT_STARTUP_FROM
        for bundle in self.prepackaged_bundles:
            if not (self.settings.get('AutomaticPrepackagedPlugins') and self.enabled(bundle.id)):
                continue
            installed = self.copies[self.nodes[0]].get(bundle.id)
            if installed and not prepackaged.newer(bundle.version, installed.manifest.get('version', '')):
                continue
            if verified and not self.trusts(bundle):
                continue  # the server logs the failed verification and goes on
            for node in self.nodes:
                self.copies[node][bundle.id] = NodeCopy(bundle.manifest, bundle.bundle, 0, stored=False)
        for node in self.nodes:
            for node_copy in self.copies[node].values():
                node_copy.active_from = self.activation_time(node)
        return status_ok()

    def reload_config(self):
        """POST /config/reload (configReload, server/channels/api4/config.go): the config lives in memory; only the trusted key names are re-read, and only
        by the answering node (the other nodes keep theirs until a restart or a config save)."""
        self.reread_trusted_keys()
        return status_ok()

    def sanitized_config(self):
        """The config with secret plugin settings masked (getConfig, server/channels/api4/config.go)."""
        config = copy.deepcopy(self.config)
        for plugin_id, values in (config['PluginSettings'].get('Plugins') or {}).items():
            node_copy = self.copies[self.nodes[0]].get(plugin_id)
            hidden = secret_keys(node_copy.manifest if node_copy else {})
            for key in values:
                if key.lower() in hidden and values[key]:
                    values[key] = FAKE_SETTING
        return config

    def get_config(self):
        return 200, self.sanitized_config()

    def unmask(self, new_config):
        """A masked secret sent back means 'keep the stored value', as Mattermost's desanitize does."""
        stored = self.config['PluginSettings'].get('Plugins') or {}
        for plugin_id, values in ((new_config.get('PluginSettings') or {}).get('Plugins') or {}).items():
            for key, value in list(values.items()):
                if value == FAKE_SETTING:
                    values[key] = (stored.get(plugin_id) or {}).get(key, '')

    def put_config(self, body):
        """PUT /config (updateConfig, server/channels/api4/config.go): protected fields silently kept."""
        try:
            new_config = json.loads(body)
            assert isinstance(new_config, dict)
        except (ValueError, AssertionError):
            raise AppError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing config in request body.')
        self.unmask(new_config)
        plugin_settings = new_config.setdefault('PluginSettings', {})
        kept = ['EnableUploads', 'SignaturePublicKeyFiles'] + ([] if self.settings.get('EnableUploads') else ['MarketplaceURL'])
        for name in kept:
            plugin_settings[name] = copy.deepcopy(self.settings.get(name))
        merged = copy.deepcopy(self.config)
        deep_merge(merged, new_config)
        deep_merge(merged, self.environment)
        self.save(merged)
        return 200, self.sanitized_config()

    def patch_config(self, body):
        """PUT /config/patch (patchConfig, server/channels/api4/config.go): merge; EnableUploads may not change;
        MarketplaceURL only beside no EnableUploads:false."""
        try:
            patch = json.loads(body)
            assert isinstance(patch, dict)
        except (ValueError, AssertionError):
            raise AppError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing config in request body.')
        self.unmask(patch)
        plugin_patch = patch.get('PluginSettings') or {}
        if 'EnableUploads' in plugin_patch and plugin_patch['EnableUploads'] != self.settings.get('EnableUploads'):
            raise forbidden('PluginSettings.EnableUploads')
        if (
            'MarketplaceURL' in plugin_patch
            and plugin_patch['MarketplaceURL'] != self.settings.get('MarketplaceURL')
            and plugin_patch.get('EnableUploads') is False
        ):
            raise forbidden('PluginSettings.MarketplaceURL')
        merged = copy.deepcopy(self.config)
        deep_merge(merged, patch)
        # The change is saved without the overrides (removeEnvOverrides), but the environment still wins (server/config/environment.go).
        deep_merge(merged, self.environment)
        self.save(merged)
        return 200, self.sanitized_config()

    def config_environment(self):
        """GET /config/environment (getEnvironmentConfig, server/channels/api4/config.go): `true` at every setting an environment variable overrides; JSON null
        when none is (the real server's nil map, seen by tests/contract)."""
        if not self.environment:
            return 200, None
        return 200, dict((section, dict((key, True) for key in values)) for section, values in self.environment.items())


def forbidden(name):
    return AppError(403, 'api.config.update_config.not_allowed_security.app_error', 'Changing %s is not allowed for security reasons.' % name)


def secret_keys(manifest):
    schema = manifest.get('settings_schema') or {}
    settings = list(schema.get('settings') or [])
    for section in schema.get('sections') or []:
        settings += section.get('settings') or []
    return set(setting['key'].lower() for setting in settings if setting.get('secret') and setting.get('key'))


class DownloadError(Exception):
    pass


# One for the process: loading the system CA store took 85 % of the simulator's CPU per Marketplace install.
HTTPS_CONTEXT = ssl.create_default_context()


def fetch(url):
    """What the server's HTTP client does: GET, any non-2xx or transport error is a failure."""
    try:
        with urllib.request.urlopen(url, timeout=30, context=HTTPS_CONTEXT) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise DownloadError('failed with status code %d' % exc.code)
    except (urllib.error.URLError, OSError) as exc:
        raise DownloadError('download failed: %s' % exc)


def read_bundle_manifest(bundle):
    """Extraction and manifest rules of the install step (server/channels/app/plugin_install.go)."""
    files, top_level = {}, set()
    try:
        with tarfile.open(fileobj=io.BytesIO(bundle), mode='r:gz') as archive:
            for member in archive:
                name = posixpath.normpath(member.name)
                if member.name.startswith('/') or name == '..' or name.startswith('../'):
                    raise AppError(
                        400, 'app.plugin.extract.app_error', 'An error occurred extracting the plugin bundle.', 'failed to sanitize path %s' % member.name
                    )
                if not (member.isreg() or member.isdir()) or name == '.':
                    continue  # links and devices are skipped, with a warning in the server log
                top_level.add(name.split('/')[0] + ('/' if member.isdir() or '/' in name else ''))
                if member.isreg() and posixpath.basename(name) in MANIFEST_NAMES and name.count('/') <= 1:
                    files[name] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise AppError(400, 'app.plugin.extract.app_error', 'An error occurred extracting the plugin bundle.', str(exc))
    root = ''
    if len(top_level) == 1 and next(iter(top_level)).endswith('/'):
        root = next(iter(top_level))
    for name in MANIFEST_NAMES:
        if root + name in files:
            try:
                manifest = (json.loads if name.endswith('.json') else yaml.safe_load)(files[root + name])
                assert isinstance(manifest, dict)
            except (ValueError, yaml.YAMLError, AssertionError) as exc:
                raise AppError(400, 'app.plugin.manifest.app_error', 'Unable to find manifest for extracted plugin.', str(exc))
            break
    else:
        raise AppError(400, 'app.plugin.manifest.app_error', 'Unable to find manifest for extracted plugin.')
    plugin_id = str(manifest.get('id') or '').lower()
    if not (3 <= len(plugin_id) <= 190 and re.match(PLUGIN_ID_RULE, plugin_id)):
        raise AppError(400, 'app.plugin.invalid_id.app_error', 'Plugin Id must be at least 3 characters, at most 190 characters and match ^[a-zA-Z0-9-_\\.]+$.')
    manifest['id'] = plugin_id
    return manifest


def parse_multipart(content_type, body):
    """A multipart/form-data body: ({field: [values]}, {file field: bytes}); failures are plain-text 400s."""
    boundary = None
    for part in (content_type or '').split(';')[1:]:
        key, dummy, value = part.strip().partition('=')
        if key.lower() == 'boundary':
            boundary = value.strip('"')
    if not (content_type or '').lower().startswith('multipart/form-data') or not boundary:
        raise PlainError(400, "request Content-Type isn't multipart/form-data")
    delimiter = b'--' + boundary.encode()
    if not body.startswith(delimiter):
        raise PlainError(400, 'multipart: NextPart: EOF')
    fields, files = {}, {}
    for chunk in body.split(b'\r\n' + delimiter)[0:]:
        chunk = chunk[len(delimiter) :] if chunk.startswith(delimiter) else chunk
        if chunk.startswith(b'--'):
            break
        head, separator, content = chunk.lstrip(b'\r\n').partition(b'\r\n\r\n')
        if not separator:
            raise PlainError(400, 'multipart: NextPart: malformed part')
        disposition = ''
        for line in head.decode('utf-8', 'replace').split('\r\n'):
            if line.lower().startswith('content-disposition:'):
                disposition = line
        params = dict((k.strip().lower(), v.strip().strip('"')) for k, dummy, v in (item.partition('=') for item in disposition.split(';')[1:]))
        if 'filename' in params:
            files[params.get('name', '')] = content
        else:
            fields.setdefault(params.get('name', ''), []).append(content.decode('utf-8', 'replace'))
    return fields, files
