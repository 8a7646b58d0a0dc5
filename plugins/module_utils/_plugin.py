# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired plugin state: read the server once, plan the changes, apply them, wait for the cluster."""

import os
import time
from typing import Any, Optional

from ansible_collections.mmops.mattermost.plugins.module_utils import _marketplace as marketplace
from ansible_collections.mmops.mattermost.plugins.module_utils import _plugin_config as plugin_config
from ansible_collections.mmops.mattermost.plugins.module_utils._bundle import (
    BundleCache,
    BundleError,
    parse_checksum,
    read_manifest,
    sha256_file,
    verify_checksum,
)
from ansible_collections.mmops.mattermost.plugins.module_utils._client import DOWNLOAD_TIMEOUT, redact_url, url_secrets
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import PluginError
from ansible_collections.mmops.mattermost.plugins.module_utils._gpg import SignatureError, verify_bundle
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import validate_plugin_id
from ansible_collections.mmops.mattermost.plugins.module_utils._server import require_marketplace, require_secure_url, require_uploads
from ansible_collections.mmops.mattermost.plugins.module_utils._setting_gates import require_config_writable
from ansible_collections.mmops.mattermost.plugins.module_utils._version import is_compatible, parse_version

POLL_INTERVAL = 0.25

SOURCES = ('marketplace', 'url', 'file')

# The argument spec of one plugin entry: the `plugin` module's own options (plugin_set entries reuse it).
PLUGIN_ARGSPEC: dict[str, dict[str, Any]] = dict(
    id=dict(type='str', required=True),
    state=dict(type='str', default='present', choices=['present', 'absent', 'latest']),
    enabled=dict(type='bool'),
    version=dict(type='str'),
    source=dict(type='str', default='marketplace', choices=list(SOURCES)),
    src=dict(type='str'),
    checksum=dict(type='str'),
    signature=dict(type='path'),
    # Paths of public key files: nothing secret (the name only looks like one to validate-modules).
    trusted_keys=dict(type='list', elements='path', no_log=False),
    force=dict(type='bool', default=False),
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=120),
    # Merged into PluginSettings.Plugins[id]; hidden whole until the manifest says which settings are secret.
    settings=dict(type='dict', no_log=True),
    # Marketplace labels as policy (for example Beta and Experimental kept out of production).
    allowed_labels=dict(type='list', elements='str'),
    forbidden_labels=dict(type='list', elements='str'),
)


class PluginSpec:
    """One plugin's desired state, checked for contradictions before anything is read or sent."""

    # One attribute per PLUGIN_ARGSPEC option, set from params in __init__ (None where an option is unset).
    id: str
    state: str
    enabled: Optional[bool]
    version: Optional[str]
    source: str
    src: Optional[str]
    checksum: Optional[str]
    signature: Optional[str]
    trusted_keys: Optional[list[str]]
    force: bool
    wait: bool
    wait_timeout: int
    settings: Optional[dict[str, Any]]
    allowed_labels: Optional[list[str]]
    forbidden_labels: Optional[list[str]]

    def __init__(self, params, no_log_values=None):
        # First of all: the id names the bundle's temporary file and goes into REST paths.
        self.id = validate_plugin_id(params['id'])
        for name in PLUGIN_ARGSPEC:
            if name != 'id':
                setattr(self, name, params.get(name, PLUGIN_ARGSPEC[name].get('default')))
        if self.source == 'url' and self.src and no_log_values is not None:
            # Credentials in the URL are censored wherever Ansible shows the task's arguments (invocation).
            no_log_values.update(url_secrets(self.src))
        self._check()

    @property
    def shown_src(self):
        """src as messages and actions show it: a URL without its credentials."""
        return redact_url(self.src) if self.source == 'url' else self.src

    def _check(self):
        local = self.source in ('url', 'file')
        if self.version:
            self._check_version(self.version)
        if self.state == 'latest' and self.version:
            raise PluginError('%s: state=latest and version contradict each other; use state=present with version to hold one' % self.id)
        if self.state == 'latest' and local:
            raise PluginError('%s: state=latest needs source=marketplace; a %s source has no newer version to look for' % (self.id, self.source))
        if self.state == 'absent' and (self.version or self.enabled):
            raise PluginError('%s: version and enabled do not apply to state=absent' % self.id)
        if local and not self.src:
            raise PluginError('%s: source=%s needs src (%s)' % (self.id, self.source, 'the bundle path' if self.source == 'file' else 'the bundle URL'))
        if not local and (self.src or self.checksum or self.signature or self.trusted_keys):
            raise PluginError('%s: src, checksum, signature and trusted_keys apply to source=url and source=file only' % self.id)
        if bool(self.signature) != bool(self.trusted_keys):
            raise PluginError('%s: signature and trusted_keys go together' % self.id)
        if self.wait_timeout <= 0:
            raise PluginError('%s: wait_timeout must be a positive number of seconds' % self.id)
        if self.state == 'absent' and self.settings:
            raise PluginError('%s: settings do not apply to state=absent' % self.id)
        if local and self.label_policy:
            raise PluginError('%s: allowed_labels and forbidden_labels judge Marketplace releases; a source=%s bundle has no labels' % (self.id, self.source))
        if self.label_policy.contradiction():
            raise PluginError('%s: label %s is both in allowed_labels and forbidden_labels' % (self.id, self.label_policy.contradiction()))

    def _check_version(self, version: str) -> None:
        try:
            parse_version(version)
        except ValueError as exc:
            hint = ''
            if version.replace('.', '', 1).isdigit():
                # YAML reads an unquoted 1.10 as the number 1.1, which reaches the module as '1.1'.
                hint = '; an unquoted YAML number such as 1.10 arrives as %s: quote the version (version: "1.10.0")' % version
            raise PluginError('%s: version %s%s; nothing was changed' % (self.id, exc, hint))

    @property
    def label_policy(self):
        return marketplace.LabelPolicy(self.allowed_labels, self.forbidden_labels)


class InstallStep:
    """How the wanted version gets onto the server."""

    def __init__(self, route, version, location=None, force=False, description='', manifest=None):
        self.route = route  # 'marketplace' | 'download_url' | 'upload'
        self.version = version
        # The manifest of the version to install: its settings_schema checks `settings` before anything is sent.
        self.manifest = manifest
        self.location = location
        self.force = force
        self.description = description


class Plan:
    def __init__(self, spec, before):
        self.spec = spec
        self.before = before
        self.remove = False
        self.install = None
        self.toggle = None
        self.settings = None

    @property
    def saves_config(self):
        """Whether applying the plan saves the server's config (a removal disables the plugin first)."""
        return self.remove or self.toggle is not None or (self.settings is not None and self.settings.changed)

    @property
    def changed(self):
        return self.remove or self.install is not None or self.toggle is not None or (self.settings is not None and self.settings.changed)

    def actions(self):
        actions = []
        if self.remove:
            actions.append('remove %s %s' % (self.spec.id, self.before['version']))
        if self.install:
            actions.append(self.install.description)
        if self.settings is not None:
            actions.extend(self.settings.actions())
        if self.toggle is not None:
            actions.append('%s %s' % ('enable' if self.toggle else 'disable', self.spec.id))
        return actions


class PluginReconciler:
    """Plans and applies plugin specs against one ServerView. Every write is skipped in check mode."""

    def __init__(self, view, check_mode=False, tmpdir=None, no_log_values=None, download_timeout=DOWNLOAD_TIMEOUT):
        if download_timeout <= 0:
            raise PluginError('download_timeout must be a positive number of seconds')
        self.view = view
        self.client = view.client
        self.check_mode = check_mode
        self.tmpdir = tmpdir
        self.download_timeout = download_timeout
        # The module's no_log_values: secret plugin settings stay in it, the others are let out (see _plugin_config).
        self.no_log_values = no_log_values

    # Planning: reads only.

    def plan(self, spec):
        before = self.view.describe(spec.id)
        plan = Plan(spec, before)
        if spec.state == 'absent':
            plan.remove = before['installed']
            if plan.remove:
                self._check_removable(spec, before)
            return plan
        plan.install = self._install_step(spec, before)
        if spec.enabled is not None and spec.enabled != before['enabled']:
            plan.toggle = spec.enabled
        if spec.settings is not None:
            plan.settings = self._settings_plan(spec, plan)
        return plan

    def _check_removable(self, spec, before):
        """On a cluster, DELETE reaches only the answering node's copy first: when that node has none, the others hold
        one it cannot remove (see _still_installed), and the request would only answer 404."""
        if len(self.view.cluster_ids()) > 1 and self.view.installed_manifest(spec.id) is None:
            raise PluginError(
                _still_installed(spec.id, self.client.base_url, before['nodes'], 'the node that answers the API has no copy, so it cannot remove the others'),
                nodes=before['nodes'],
            )

    def _settings_plan(self, spec, plan):
        manifest = plan.install.manifest if plan.install else self.view.installed_manifest(spec.id)
        if manifest is None:
            raise PluginError(
                '%s: the manifest of the version to install is unknown, so settings cannot be checked; install the plugin first, then set them' % spec.id
            )
        return plugin_config.plan_plugin_config(self.client, self.view.settings, manifest, spec.id, spec.settings, no_log_values=self.no_log_values)

    def _install_step(self, spec, before):
        current = before['version'] if before['installed'] else None
        unchanged = current is not None and not spec.force
        if spec.source == 'marketplace':
            require_marketplace(self.view)
            if spec.version:
                if unchanged and marketplace.same_version(current, spec.version):
                    return None
                return self._marketplace_pin(spec, current)
            if unchanged and spec.state == 'present':
                return None
            entry = self.view.marketplace_entry(spec.id)
            if entry is None:
                raise PluginError(self._not_listed(spec.id))
            version = marketplace.entry_version(entry)
            if unchanged and marketplace.same_version(current, version):
                return None
            self._check_release(spec, entry)
            return InstallStep('marketplace', version, description='install %s %s from the Marketplace' % (spec.id, version), manifest=entry.get('manifest'))
        # A pinned URL that is already installed needs no download at all.
        if spec.source == 'url' and spec.version and unchanged and marketplace.same_version(current, spec.version):
            return None
        require_uploads(self.view, 'uploading a bundle' if spec.source == 'file' else 'installing from a URL')
        path, origin = self._local_bundle(spec)
        manifest = self._checked_manifest(spec, path)
        if unchanged and marketplace.same_version(current, manifest['version']):
            return None
        return InstallStep(
            'upload',
            manifest['version'],
            location=path,
            force=current is not None,
            description='upload %s %s from %s' % (spec.id, manifest['version'], origin),
            manifest=manifest,
        )

    def _marketplace_pin(self, spec, current):
        entry = self.view.marketplace_entry(spec.id)
        if entry is not None and marketplace.same_version(marketplace.entry_version(entry), spec.version):
            self._check_release(spec, entry)
            return InstallStep(
                'marketplace', spec.version, description='install %s %s from the Marketplace' % (spec.id, spec.version), manifest=entry.get('manifest')
            )
        # The server's Marketplace install ignores the requested version (MM-41981): land exactly this release
        # by asking the server to install it from its Marketplace download URL.
        url = self.view.setting('MarketplaceURL', None)
        releases = marketplace.all_versions(self.client, url, spec.id)
        matches = [release for release in releases if marketplace.same_version(marketplace.entry_version(release), spec.version)]
        if not matches:
            listed = ', '.join(marketplace.entry_version(release) for release in releases) or 'none'
            raise PluginError(
                '%s %s is not in the Marketplace at %s (versions listed: %s)' % (spec.id, spec.version, url or marketplace.DEFAULT_MARKETPLACE_URL, listed)
            )
        release = matches[0]
        self._check_release(spec, release, releases)
        require_uploads(
            self.view,
            "Holding %s at exactly %s (the server's Marketplace install always takes the newest "
            'compatible version, %s, so the pin is installed from its download URL)'
            % (spec.id, spec.version, marketplace.entry_version(entry) if entry else 'none'),
        )
        download_url = release.get('download_url') or ''
        require_secure_url(self.view, download_url)
        return InstallStep(
            'download_url',
            spec.version,
            location=download_url,
            force=current is not None,
            description='install %s %s from its Marketplace download URL' % (spec.id, spec.version),
            manifest=release.get('manifest'),
        )

    def _check_release(self, spec, release, releases=None):
        """Refuse, before any write, a Marketplace release this server cannot run or the label policy forbids.

        The Marketplace service never offers an incompatible release, but a static mirror answers every server alike.
        """
        version = marketplace.entry_version(release)
        minimum = marketplace.min_server_version(release)
        if self.view.server_version and not is_compatible(minimum, self.view.server_version):
            raise PluginError(
                '%s %s needs Mattermost %s or newer; %s runs %s; nothing was changed'
                % (spec.id, version, minimum, self.client.base_url, self.view.server_version)
            )
        refusal = spec.label_policy.refusal(release)
        if refusal:
            if releases is None:
                releases = marketplace.all_versions(self.client, self.view.setting('MarketplaceURL', None), spec.id)
            acceptable = [
                marketplace.entry_version(other)
                for other in releases
                if not spec.label_policy.refusal(other)
                and (not self.view.server_version or is_compatible(marketplace.min_server_version(other), self.view.server_version))
            ]
            raise PluginError(
                '%s %s is refused by the label policy: %s; nothing was changed. Releases for Mattermost %s the '
                'policy accepts: %s%s'
                % (spec.id, version, refusal, self.view.server_version, ', '.join(acceptable) or 'none', ' (hold one with version)' if acceptable else ''),
                labels=marketplace.label_names(release),
            )

    def _local_bundle(self, spec):
        """(path of the bundle on this host, where it came from as the actions show it)."""
        if spec.source == 'file':
            if not os.path.isfile(spec.src):
                raise PluginError('%s: bundle %s does not exist or is not a file' % (spec.id, spec.src))
            return spec.src, spec.src
        require_secure_url(self.view, spec.src)
        digest = _checksum_digest(spec)
        cache = BundleCache()
        # Into the private temporary directory either way: what is checked there is what gets uploaded.
        path = os.path.join(self.tmpdir, '%s.tar.gz' % spec.id)
        if digest and cache.fetch(digest, path):
            return path, spec.shown_src
        final = self.client.download(
            spec.src, path, check_url=lambda hop: require_secure_url(self.view, hop), seconds=self.download_timeout, max_size=self.view.max_upload_size
        )
        if digest and sha256_file(path) == digest:
            cache.store(path, digest)
        if final != spec.src:
            return path, '%s (redirected to %s)' % (spec.shown_src, redact_url(final))
        return path, spec.shown_src

    def _check_size(self, path):
        size = os.path.getsize(path)
        limit = self.view.max_upload_size
        if limit and size > limit:
            raise BundleError(
                'the bundle is %d bytes and %s accepts uploads of at most %d bytes (FileSettings.MaxFileSize); '
                'raise MaxFileSize (and any proxy body limit) or install the plugin another way' % (size, self.client.base_url, limit)
            )

    def _checked_manifest(self, spec, path):
        try:
            if spec.checksum:
                verify_checksum(path, spec.checksum)
            if spec.signature:
                verify_bundle(path, spec.signature, spec.trusted_keys, self.tmpdir)
            self._check_size(path)
            manifest = read_manifest(path)
        except (BundleError, SignatureError, ValueError) as exc:
            raise PluginError('%s: %s; nothing was installed' % (spec.id, exc))
        if manifest['id'] != spec.id:
            raise PluginError('%s: the bundle %s holds plugin %s, not %s' % (spec.id, spec.shown_src, manifest['id'], spec.id))
        if spec.version and not marketplace.same_version(manifest['version'], spec.version):
            raise PluginError('%s: the bundle %s holds version %s, not the requested %s' % (spec.id, spec.shown_src, manifest['version'], spec.version))
        return manifest

    def _not_listed(self, plugin_id):
        text = '%s is not in the Marketplace of %s (for Mattermost %s)' % (plugin_id, self.client.base_url, self.view.server_version)
        if not self.view.setting('EnableRemoteMarketplace', True):
            text += '; PluginSettings.EnableRemoteMarketplace is false, so only prepackaged plugins are offered'
        return text

    # Applying: writes, skipped in check mode.

    def converge(self, plans):
        """Apply the plans in phases, then wait once; return each plan's result (see result()).

        Removals, installs and upgrades, one config patch with every plan's settings (before any enable, so
        plugins start with them), enable/disable; then every plugin that ends up enabled is waited for on
        every node, at its planned version.
        """
        saving = [action for plan in plans if plan.saves_config for action in plan.actions()]
        if saving and not self.check_mode:
            require_config_writable(self.client, self.view.config, 'this run (%s)' % ', '.join(saving))
        for plan in plans:
            self.apply_removal(plan)
            self.apply_install(plan)
        self.apply_settings(plans)
        for plan in plans:
            self.apply_toggle(plan)
        if not self.check_mode and any(plan.changed for plan in plans):
            self.view.refresh_statuses()
        removed = [plan for plan in plans if plan.remove and plan.spec.wait and not self.check_mode]
        if removed:
            self.wait_removed(removed)
        waiting = [plan for plan in plans if plan.spec.state != 'absent' and plan.spec.wait and self.after(plan)['enabled']]
        if waiting:
            # The planned version, not the answering node's: other cluster nodes may still run the old one.
            targets = dict((plan.spec.id, plan.install.version if plan.install else self.after(plan)['version']) for plan in waiting)
            self.wait_running(targets, max(plan.spec.wait_timeout for plan in waiting))
        return [self.result(plan) for plan in plans]

    def result(self, plan):
        """id, changed, actions, plugin (after), and before/after views (with settings, secrets masked)."""
        state = self.after(plan)
        result = dict(id=plan.spec.id, changed=plan.changed, actions=plan.actions(), plugin=state, before=diff_view(plan.before), after=diff_view(state))
        if plan.settings is not None:
            result['before']['settings'], result['after']['settings'] = plan.settings.before, plan.settings.after
        return result

    def apply_removal(self, plan):
        if plan.remove and not self.check_mode:
            self.client.remove_plugin(plan.spec.id)
            self.view.set_enabled(plan.spec.id, False)

    def apply_install(self, plan):
        if plan.install and not self.check_mode:
            self._install(plan.spec, plan.install)

    def apply_settings(self, plans):
        """One config patch with the settings of every plan that changes them; before any enable, so plugins start with them."""
        entries = dict((plan.spec.id, plan.settings.entry) for plan in plans if plan.settings is not None and plan.settings.changed)
        if entries and not self.check_mode:
            plugin_config.write_plugin_entries(self.client, self.view.settings, entries)

    def apply_toggle(self, plan):
        if plan.toggle is not None and not self.check_mode:
            (self.client.enable_plugin if plan.toggle else self.client.disable_plugin)(plan.spec.id)
            self.view.set_enabled(plan.spec.id, plan.toggle)

    def _install(self, spec, step):
        if step.route == 'marketplace':
            manifest = self.client.install_from_marketplace(spec.id)
        elif step.route == 'download_url':
            manifest = self.client.install_from_url(step.location, step.force)
        else:
            manifest = self.client.upload_plugin(step.location, step.force)
        installed = (manifest or {}).get('version')
        if not marketplace.same_version(installed, step.version):
            raise PluginError(
                '%s: the server installed version %s, not the planned %s (did the Marketplace change meanwhile?)' % (spec.id, installed, step.version)
            )

    # Waiting.

    def _poll(self, timeout, finished):
        """Refresh the statuses until `finished(timed_out)` is true; it raises when the wait failed."""
        deadline = time.time() + timeout
        while not finished(time.time() >= deadline):
            time.sleep(POLL_INTERVAL)
            self.view.refresh_statuses()

    def wait_running(self, targets, timeout):
        """Wait until every {plugin_id: version} runs on every cluster node; fail naming the nodes that do not.

        Nodes start a plugin one after another, so a failure on one node is reported only once every node
        has settled (or the time is up): the message then names all the nodes where it failed.
        """
        if not targets:
            return

        def finished(timed_out):
            pending, failed = self.view.start_progress(targets)
            settled = not pending or self.check_mode
            if not (settled or timed_out):
                return False
            problems = []
            if failed:
                problems.append('failed to start: %s' % _by_node(failed))
            if pending and not settled:
                problems.append('not running on every node after %s seconds: %s' % (timeout, _by_node(pending)))
            if problems:
                raise PluginError('; '.join(problems), nodes=_node_details(failed + ([] if settled else pending)))
            return True

        self._poll(timeout, finished)

    def wait_removed(self, plans):
        """Wait until the removed plugins are gone from every node; fail naming the nodes that keep them."""

        def finished(timed_out):
            left = [(plan, self.view.describe(plan.spec.id)) for plan in plans]
            left = [(plan, state) for plan, state in left if state['installed']]
            if left and timed_out:
                raise PluginError(
                    '; '.join(
                        _still_installed(
                            plan.spec.id, self.client.base_url, state['nodes'], 'still there %s seconds after the removal' % plan.spec.wait_timeout
                        )
                        for plan, state in left
                    ),
                    nodes=[node for dummy, state in left for node in state['nodes']],
                )
            return not left

        self._poll(max(plan.spec.wait_timeout for plan in plans), finished)

    def after(self, plan):
        """The predicted (check mode) or observed state after the plan."""
        if not self.check_mode:
            return self.view.describe(plan.spec.id)
        after = dict(plan.before)
        if plan.remove:
            after.update(installed=False, version=None, enabled=False, nodes=[])
        if plan.install:
            after.update(installed=True, version=plan.install.version)
        if plan.toggle is not None:
            after['enabled'] = plan.toggle
        return after


def _checksum_digest(spec):
    """The expected SHA-256 of the spec's bundle, or None (no checksum, or one _checked_manifest will refuse)."""
    try:
        return parse_checksum(spec.checksum) if spec.checksum else None
    except ValueError:
        return None


def _still_installed(plugin_id, base_url, nodes, how):
    return (
        '%s cannot be removed from every node of the cluster at %s: nodes %s still have it (%s). Mattermost removes a '
        'plugin from the other nodes only when its bundle is in the file store; a plugin that each node installed from '
        'its own prepackaged_plugins directory at start-up is not, so removing it is local to the node that answers. '
        'Remove the bundle from <install dir>/prepackaged_plugins and the directory plugins/%s on each of those '
        'nodes (the prepackaged_plugins role only places bundles), then restart them'
        % (plugin_id, base_url, ', '.join(repr(node['cluster_id']) for node in nodes), how, plugin_id)
    )


def _by_node(problems):
    return '; '.join('%s on node %r: %s' % (plugin_id, cluster_id or 'single node', detail) for plugin_id, cluster_id, detail in problems)


def _node_details(problems):
    return [dict(id=plugin_id, cluster_id=cluster_id, detail=detail) for plugin_id, cluster_id, detail in problems]


def diff_view(state):
    return dict(installed=state['installed'], version=state['version'], enabled=state['enabled'])


def removal_specs(view, specs, keep):
    """With exclusive: a state=absent spec for every installed plugin neither listed nor kept."""
    wanted = set(spec.id for spec in specs) | set(validate_plugin_id(plugin_id) for plugin_id in keep or [])
    return [PluginSpec(dict(id=plugin_id, state='absent')) for plugin_id in view.plugin_ids() if plugin_id not in wanted]


def check_unique(specs):
    seen = set()
    for spec in specs:
        if spec.id in seen:
            raise PluginError('plugin %s is listed more than once; give each plugin one entry' % spec.id)
        seen.add(spec.id)


def reconcile_set(view, entries, exclusive=False, keep=None, check_mode=False, tmpdir=None, no_log_values=None, download_timeout=DOWNLOAD_TIMEOUT):
    """The plugin_set module's job: every entry (plugin module options plus settings) planned before any write.

    Nothing is written before every entry is planned, so a plan error leaves the server as it was; the writes
    then go in the reconciler's phases, with one wait for all.
    """
    specs = [PluginSpec(entry, no_log_values) for entry in entries]
    check_unique(specs)
    if exclusive:
        specs += removal_specs(view, specs, keep)
    reconciler = PluginReconciler(view, check_mode=check_mode, tmpdir=tmpdir, no_log_values=no_log_values, download_timeout=download_timeout)
    plans = [reconciler.plan(spec) for spec in specs]

    results = reconciler.converge(plans)
    changed = [result for result in results if result['changed']]
    return dict(
        changed=bool(changed),
        plugins=results,
        actions=[action for result in results for action in result['actions']],
        diff=dict(before=dict((result['id'], result['before']) for result in changed), after=dict((result['id'], result['after']) for result in changed)),
    )


def reconcile_one(view, spec, check_mode, tmpdir, no_log_values=None, download_timeout=DOWNLOAD_TIMEOUT):
    """The `plugin` module's whole job for one spec: the result dict (changed, actions, plugin, diff)."""
    reconciler = PluginReconciler(view, check_mode=check_mode, tmpdir=tmpdir, no_log_values=no_log_values, download_timeout=download_timeout)
    result = reconciler.converge([reconciler.plan(spec)])[0]
    return dict(changed=result['changed'], actions=result['actions'], plugin=result['plugin'], diff=dict(before=result['before'], after=result['after']))
