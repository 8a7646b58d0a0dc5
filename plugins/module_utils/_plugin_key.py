# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin_key module: trusted plugin-signing keys in the server's config store (SignaturePublicKeyFiles)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.mmops.mattermost.plugins.module_utils import _client
from ansible_collections.mmops.mattermost.plugins.module_utils._config_store import ConfigStoreError, open_store, valid_file_name
from ansible_collections.mmops.mattermost.plugins.module_utils._gpg import SignatureError, check_trusted_key, scan_keys

# The connection options, optional here: with them the server re-reads its config, without them it needs a restart.
OPTIONAL_CONNECTION_ARGSPEC = dict((name, dict(spec, required=False)) for name, spec in _client.CONNECTION_ARGSPEC.items())


def _fingerprint_of(data):
    """The fingerprint of the key in a stored file, or None when it holds none (it is being removed anyway)."""
    try:
        keys = scan_keys(data)
    except SignatureError:
        return None
    return keys[0]['fingerprint'] if len(keys) == 1 else None


def _wanted_key(module):
    params = module.params
    if params['key'] is not None:
        data, source = params['key'].encode('utf-8'), 'key'
    else:
        try:
            with open(params['src'], 'rb') as handle:
                data, source = handle.read(), params['src']
        except (IOError, OSError) as exc:
            raise ConfigStoreError('cannot read src %s: %s' % (params['src'], exc))
    return data, check_trusted_key(data, source, module.tmpdir)


def ensure_trusted_key(module):
    params = module.params
    if params['url'] and not _client.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=_client.REQUESTS_IMPORT_ERROR)
    name = valid_file_name(params['name'])
    if params['state'] == 'present' and params['key'] is None and params['src'] is None:
        raise ConfigStoreError('state=present needs the public key: key (armored text) or src (a file)')
    wanted = _wanted_key(module) if params['state'] == 'present' else None
    store = open_store(module, params['config_path'], params['config_dsn'])
    config = store.read_config()
    before = list((config.get('PluginSettings') or {}).get('SignaturePublicKeyFiles') or [])
    stored = store.read_file(name)
    stored_fingerprint = _fingerprint_of(stored) if stored is not None else None
    actions = []
    if wanted is not None:
        data, key = wanted
        fingerprint = key['fingerprint']
        after = before if name in before else before + [name]
        file_change = {name: data} if stored != data else {}
        if file_change:
            actions.append('write key %s (%s) to %s' % (name, fingerprint, store.description))
    else:
        fingerprint = stored_fingerprint
        after = [listed for listed in before if listed != name]
        file_change = {name: None} if stored is not None else {}
        if file_change:
            actions.append('remove key %s from %s' % (name, store.description))
    if after != before:
        actions.append('%s %s %s PluginSettings.SignaturePublicKeyFiles' % (
            'add' if len(after) > len(before) else 'remove', name, 'to' if len(after) > len(before) else 'from'))
    changed = bool(actions)
    cluster = bool((config.get('ClusterSettings') or {}).get('Enable'))
    result = dict(changed=changed, fingerprint=fingerprint, keys=after, actions=actions, reloaded=False, restart_needed=False,
                  cluster=cluster,
                  diff=dict(before=dict(keys=before, fingerprint=stored_fingerprint),
                            after=dict(keys=after, fingerprint=fingerprint if wanted is not None else None)))
    if not changed or module.check_mode:
        return result
    backup_file = store.apply(after if after != before else None, file_change, backup=params['backup'])
    if backup_file:
        result['backup_file'] = backup_file
    if params['url']:
        _client.MattermostClient.from_module(module).reload_config()
        result['reloaded'] = True
    if cluster:
        # POST /config/reload reloads the node that answers only; each node keeps its config in memory, and a config
        # save from one that has not re-read it writes its old SignaturePublicKeyFiles back to the store.
        result['restart_needed'] = True
        module.warn('the trusted keys changed in %s of a high-availability cluster (ClusterSettings.Enable): %s, and every node must restart to '
                    'see the key; until a node has, a config save from it writes its old '
                    'PluginSettings.SignaturePublicKeyFiles back to the store, dropping the key. Restart each node; with '
                    'the file store, first run this module on every node (each has its own config.json), or move the '
                    'cluster to the database config store, which all nodes share.'
                    % (store.description, 'a config reload reaches only the node that answers'
                       if params['url'] else 'no node has re-read its config'))
    elif not params['url']:
        result['restart_needed'] = True
        result['msg'] = ('the trusted keys changed in %s; Mattermost reads them after a config reload (POST '
                         '/api/v4/config/reload: give url and token) or a restart' % store.description)
    return result
