# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin_key module: trusted plugin-signing keys in the server's config store (SignaturePublicKeyFiles)."""

from ansible_collections.mmops.mattermost.plugins.module_utils._config_store import ConfigStoreError, valid_file_name
from ansible_collections.mmops.mattermost.plugins.module_utils._gpg import SignatureError, check_trusted_key, scan_keys


def _fingerprint_of(data):
    """The fingerprint of the key in a stored file, or None when it holds none (it is being removed anyway)."""
    try:
        keys = scan_keys(data)
    except SignatureError:
        return None
    return keys[0]['fingerprint'] if len(keys) == 1 else None


def _wanted_key(key, src, tmpdir):
    if key is not None:
        data, source = key.encode('utf-8'), 'key'
    else:
        try:
            with open(src, 'rb') as handle:
                data, source = handle.read(), src
        except (IOError, OSError) as exc:
            raise ConfigStoreError('cannot read src %s: %s' % (src, exc))
    return data, check_trusted_key(data, source, tmpdir)


def ensure_trusted_key(open_store, name, state='present', key=None, src=None, backup=False, client=None, check_mode=False, tmpdir=None):
    """The plugin_key module: the key file `name` in the store and in SignaturePublicKeyFiles (present) or in neither.

    `open_store()` gives the config store (_config_store.open_store), opened once the arguments are checked; with
    `client` (a MattermostClient) the server re-reads its config after a change. Warnings are in the result's `warnings`.
    """
    name = valid_file_name(name)
    if state == 'present' and key is None and src is None:
        raise ConfigStoreError('state=present needs the public key: key (armored text) or src (a file)')
    wanted = _wanted_key(key, src, tmpdir) if state == 'present' else None
    store = open_store()
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
        actions.append(
            '%s %s %s PluginSettings.SignaturePublicKeyFiles'
            % ('add' if len(after) > len(before) else 'remove', name, 'to' if len(after) > len(before) else 'from')
        )
    changed = bool(actions)
    cluster = bool((config.get('ClusterSettings') or {}).get('Enable'))
    result = dict(
        changed=changed,
        fingerprint=fingerprint,
        keys=after,
        actions=actions,
        reloaded=False,
        restart_needed=False,
        cluster=cluster,
        warnings=[],
        diff=dict(before=dict(keys=before, fingerprint=stored_fingerprint), after=dict(keys=after, fingerprint=fingerprint if wanted is not None else None)),
    )
    if not changed or check_mode:
        return result
    backup_file = store.apply(after if after != before else None, file_change, backup=backup)
    if backup_file:
        result['backup_file'] = backup_file
    if client is not None:
        client.reload_config()
        result['reloaded'] = True
    if cluster:
        # POST /config/reload reloads the node that answers only; each node keeps its config in memory, and a config
        # save from one that has not re-read it writes its old SignaturePublicKeyFiles back to the store.
        result['restart_needed'] = True
        result['warnings'].append(
            'the trusted keys changed in %s of a high-availability cluster (ClusterSettings.Enable): %s, and every node must '
            'restart to see the key; until a node has, a config save from it writes its old '
            'PluginSettings.SignaturePublicKeyFiles back to the store, dropping the key. Restart each node; with '
            'the file store, first run this module on every node (each has its own config.json), or move the '
            'cluster to the database config store, which all nodes share.'
            % (store.description, 'a config reload reaches only the node that answers' if client is not None else 'no node has re-read its config')
        )
    elif client is None:
        result['restart_needed'] = True
        result['msg'] = (
            'the trusted keys changed in %s; Mattermost reads them after a config reload (POST '
            '/api/v4/config/reload: give url and token) or a restart' % store.description
        )
    return result
