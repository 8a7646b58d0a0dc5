# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks before a PluginSettings change that the server would not keep: a value the service environment
overrides, a cluster whose config cannot be saved; and how setting values compare."""

from ansible_collections.mmops.mattermost.plugins.module_utils._client import HINT_READ_ONLY_CONFIG, MattermostAPIError
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import SettingsError


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
        raise SettingsError(
            '%s set by the environment of the Mattermost server (%s), which wins over the API: change %s '
            'where the service environment is defined (systemd unit, environment file, or mmomni.yml on '
            'omnibus), then restart the server; nothing was changed'
            % (
                ', '.join('PluginSettings.%s is' % name for name in blocked),
                ', '.join(env_var(name) for name in blocked),
                'it' if len(blocked) == 1 else 'them',
            )
        )


READ_ONLY_CONFIG_ERROR = 'ent.cluster.save_config.error'


def require_config_writable(client, config, what):
    """Fail before any write when the server cannot save its config: a high-availability cluster (ClusterSettings.Enable)
    with ReadOnlyConfig (Mattermost's default) and the file config store refuses every save (403
    ent.cluster.save_config.error), so enable, disable, remove and settings changes cannot work.

    `config` is the document of GET /config. The API does not tell the store, so only a cluster with both flags
    is asked, with an empty patch: Mattermost saves the unchanged config (nothing changes, no listener runs) or refuses
    it exactly as it would refuse our change.
    """
    cluster = config.get('ClusterSettings') or {}
    if not (cluster.get('Enable') and cluster.get('ReadOnlyConfig', True)):
        return
    try:
        client.patch_config({})
    except MattermostAPIError as exc:
        if exc.error_id != READ_ONLY_CONFIG_ERROR:
            raise
        raise SettingsError(
            '%s needs a config save, and %s refuses every one: it is a high-availability cluster '
            '(ClusterSettings.Enable) with ClusterSettings.ReadOnlyConfig true and its config in '
            'config.json (the file config store), answering %s. To manage plugins through the API, %s; '
            'nothing was changed' % (what, client.base_url, READ_ONLY_CONFIG_ERROR, HINT_READ_ONLY_CONFIG),
            status=exc.status,
            error_id=exc.error_id,
            setting='ClusterSettings.ReadOnlyConfig',
        )
