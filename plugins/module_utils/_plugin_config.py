# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plugin settings: one plugin's entry under PluginSettings.Plugins, checked against the plugin's manifest and
written with PUT /config/patch (the server-wide PluginSettings are in _plugin_settings)."""

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import SettingsError
from ansible_collections.mmops.mattermost.plugins.module_utils._setting_gates import require_api_writable, require_config_writable, same_value

# What GET /config shows instead of a secret (model.FakeSetting); sent back, it means "keep the stored value".
FAKE_SETTING = '*' * 32
# How a secret appears in our results and diffs.
SECRET_SHOWN = '<secret>'
SECRET_WRITTEN = '<secret: new value sent>'
UPDATE_SECRETS = ('on_create', 'always')

STRING_TYPES = ('text', 'longtext', 'username', 'generated')
CHOICE_TYPES = ('dropdown', 'radio')


# --- one plugin's settings ------------------------------------------------------------------------


def installed_manifests(client):
    """{id: manifest (with settings_schema)} of the installed plugins, from GET /plugins."""
    listing = client.get_plugins() or {}
    return dict(((manifest.get('id') or '').lower(), manifest) for manifest in (listing.get('active') or []) + (listing.get('inactive') or []))


def installed_manifest(client, plugin_id):
    """The manifest of one installed plugin; None when not installed."""
    return installed_manifests(client).get(plugin_id)


class SettingsSchema:
    """A manifest's settings_schema: its settings (top level and in sections) by lower-cased key."""

    def __init__(self, plugin_id, manifest):
        self.plugin_id = plugin_id
        schema = (manifest or {}).get('settings_schema') or {}
        declared = list(schema.get('settings') or [])
        for section in schema.get('sections') or []:
            declared += section.get('settings') or []
        self.settings = dict((setting['key'].lower(), setting) for setting in declared if setting.get('key'))

    def secret(self, key):
        return bool(self.settings.get(key.lower(), {}).get('secret'))

    def check(self, desired):
        """The desired settings with lower-cased keys, each checked against its declaration."""
        try:
            return self._checked(desired)
        except SettingsError as exc:
            raise SettingsError('%s; nothing was changed' % exc)

    def _checked(self, desired):
        checked = {}
        for name, value in (desired or {}).items():
            key = name.lower()
            if key in checked:
                raise SettingsError(
                    '%s: settings %s are the same key; Mattermost compares keys in lower case'
                    % (self.plugin_id, ' and '.join(repr(other) for other in desired if other.lower() == key))
                )
            if key not in self.settings:
                raise SettingsError(self._unknown(name))
            self._check_value(name, self.settings[key], value)
            checked[key] = value
        return checked

    def _unknown(self, name):
        if not self.settings:
            return '%s: unknown setting %r; the plugin declares no settings in its manifest (settings_schema)' % (self.plugin_id, name)
        return '%s: unknown setting %r; its manifest declares %s (compared case-insensitively)' % (
            self.plugin_id,
            name,
            ', '.join(setting['key'] for setting in self.settings.values()),
        )

    def _check_value(self, name, setting, value):
        kind = setting.get('type')
        secret = bool(setting.get('secret'))
        # A secret's value never goes into a message.
        got = type(value).__name__ if secret else '%s %r' % (type(value).__name__, value)
        where = '%s: setting %r (%s%s)' % (self.plugin_id, name, kind, ', secret' if secret else '')
        if kind == 'bool' and not isinstance(value, bool):
            raise SettingsError('%s takes true or false, not %s' % (where, got))
        if kind == 'number' and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise SettingsError('%s takes a number, not %s (write it without quotes)' % (where, got))
        if kind in STRING_TYPES and not isinstance(value, str):
            raise SettingsError('%s takes a string, not %s' % (where, got))
        if kind in CHOICE_TYPES:
            allowed = [option.get('value') for option in setting.get('options') or []]
            if not any(same_value(value, option) for option in allowed):
                raise SettingsError('%s takes one of %s, not %s' % (where, ', '.join(repr(option) for option in allowed), got))
        if secret and value == FAKE_SETTING:
            raise SettingsError('%s cannot be 32 asterisks: Mattermost reads that as "keep the stored value"' % where)
        # `custom` settings are stored by the plugin's own System Console component: any JSON value.

    def secret_values(self, desired):
        return set(leaf for name, value in (desired or {}).items() if self.secret(name) for leaf in _leaves(value))

    def shown_values(self, desired):
        """Values of declared, non-secret settings: they may appear in output (an unknown key may be a mistyped secret)."""
        return set(leaf for name, value in (desired or {}).items() if name.lower() in self.settings and not self.secret(name) for leaf in _leaves(value))


def _leaves(value):
    """The strings under which Ansible records a no_log value: each non-empty string and number in it."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, bool) or value is None or value == '':
        return []
    return [value if isinstance(value, str) else str(value)]


def show_only_secrets(no_log_values, schema, desired):
    """The settings option is no_log as a whole (so it never reaches logs before the manifest is known);
    once the manifest says which settings are secret, let the others show in results and messages."""
    if no_log_values is None:
        return
    no_log_values.difference_update(schema.shown_values(desired) - schema.secret_values(desired))
    no_log_values.update(schema.secret_values(desired))


class PluginConfigPlan:
    """The new Plugins[<id>] entry, computed from what the server shows (secrets masked) and the desired settings."""

    def __init__(self, schema, current, desired, purge=False, update_secrets='on_create'):
        self.plugin_id = schema.plugin_id
        self.schema = schema
        self.current = dict(current or {})
        wanted = schema.check(desired)
        # Kept keys keep their spelling: Mattermost matches a masked secret sent back by the exact key.
        spelling = dict((key.lower(), key) for key in self.current)
        self.entry = {} if purge else dict(self.current)
        self.secrets_sent = []
        for key, value in wanted.items():
            stored = spelling.get(key)
            if schema.secret(key):
                # Mattermost shows a set secret as a mask; servers that do not mask one show the value itself.
                shown = self.current[stored] if stored is not None else None
                if stored is not None and update_secrets == 'on_create' and (shown == FAKE_SETTING or same_value(shown, value)):
                    self.entry[stored] = shown
                    continue
                self.secrets_sent.append(key)
            elif stored is not None and same_value(self.current[stored], value):
                self.entry[stored] = value
                continue
            self.entry.pop(stored, None)
            self.entry[key] = value
        self.removed = sorted(key for key in self.current if key not in self.entry)

    @property
    def changed(self):
        return (
            bool(self.secrets_sent)
            or self.entry.keys() != self.current.keys()
            or any(not same_value(self.current[key], value) for key, value in self.entry.items())
        )

    def view(self, entry, written=()):
        """The entry as shown in results and diffs: a secret that has a value appears as a marker, never as the value."""
        shown = {}
        for key, value in entry.items():
            if self.schema.secret(key) and value not in (None, ''):
                value = SECRET_WRITTEN if key.lower() in written else SECRET_SHOWN
            shown[key] = value
        return shown

    @property
    def before(self):
        return self.view(self.current)

    @property
    def after(self):
        return self.view(self.entry, self.secrets_sent)

    def actions(self):
        if not self.changed:
            return []
        changed = sorted(
            key for key, value in self.entry.items() if key not in self.current or not same_value(self.current[key], value) or key.lower() in self.secrets_sent
        )
        text = 'configure %s: set %s' % (self.plugin_id, ', '.join(changed) or 'nothing')
        if self.removed:
            text += '; remove %s' % ', '.join(self.removed)
        return [text]


def plan_plugin_config(client, plugin_settings, manifest, plugin_id, desired, purge=False, update_secrets='on_create', no_log_values=None):
    """Check desired settings against the manifest and plan the entry; a change that the API cannot make fails here."""
    schema = SettingsSchema(plugin_id, manifest)
    show_only_secrets(no_log_values, schema, desired)
    current = (plugin_settings.get('Plugins') or {}).get(plugin_id) or {}
    plan = PluginConfigPlan(schema, current, desired, purge=purge, update_secrets=update_secrets)
    if plan.changed:
        require_api_writable(client, ['Plugins'])
    return plan


def write_plugin_entries(client, plugin_settings, entries):
    """Replace these {plugin_id: entry} in PluginSettings.Plugins in one patch.

    Mattermost's patch replaces the whole Plugins map, so the complete map is sent: the other plugins' entries as
    read (their masked secrets are restored by the server), ours as planned. `plugin_settings` is updated from the
    server's answer, so a later write starts from what the server now holds.
    """
    plugins = dict(plugin_settings.get('Plugins') or {})
    for plugin_id, entry in entries.items():
        if entry:
            plugins[plugin_id] = entry
        else:
            plugins.pop(plugin_id, None)
    saved = client.patch_config({'PluginSettings': {'Plugins': plugins}}) or {}
    plugin_settings['Plugins'] = (saved.get('PluginSettings') or {}).get('Plugins', plugins)


def configure_plugin(client, plugin_id, desired, purge=False, update_secrets='on_create', check_mode=False, no_log_values=None):
    """The plugin_config module's whole job: the result dict."""
    config = client.get_config() or {}
    plugin_settings = config.get('PluginSettings') or {}
    manifest = installed_manifest(client, plugin_id)
    if manifest is None:
        raise SettingsError(
            '%s is not installed on %s, so its settings cannot be checked against its manifest: install '
            'it first with mmops.mattermost.plugin (which also takes settings)' % (plugin_id, client.base_url)
        )
    plan = plan_plugin_config(client, plugin_settings, manifest, plugin_id, desired, purge, update_secrets, no_log_values)
    if plan.changed and not check_mode:
        require_config_writable(client, config, 'changing the settings of %s' % plugin_id)
        write_plugin_entries(client, plugin_settings, {plugin_id: plan.entry})
    return dict(changed=plan.changed, actions=plan.actions(), settings=plan.after, diff=dict(before=plan.before, after=plan.after))
