# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bundles of the end-to-end test plugin (tests/e2e/plugin), in the layout Mattermost installs.

One server binary serves every version: releases differ in their manifest only. The settings schema has a
plain setting, a secret setting with a default value and a secret setting left empty.
"""

import io
import json
import os
import tarfile

PLUGIN_ID = 'com.mmops.e2e'
WEBAPP_ID = 'com.mmops.e2e-webapp'
SETTINGS_SCHEMA = {
    'header': 'Settings of the mmops end-to-end test plugin.',
    'settings': [
        {'key': 'Greeting', 'display_name': 'Greeting', 'type': 'text', 'default': 'hello'},
        {'key': 'ApiSecret', 'display_name': 'API secret', 'type': 'text', 'secret': True, 'default': 'default-api-secret-1c9a'},
        {'key': 'EmptySecret', 'display_name': 'Empty secret', 'type': 'text', 'secret': True},
    ],
}


def manifest(version, plugin_id=PLUGIN_ID, min_server_version=None, server=True):
    document = {
        'id': plugin_id,
        'name': 'mmops e2e %s' % ('server' if server else 'webapp'),
        'version': version,
        'description': 'The plugin the mmops.mattermost end-to-end tests install.',
        'min_server_version': min_server_version or '9.0.0',
        'settings_schema': SETTINGS_SCHEMA,
    }
    if server:
        document['server'] = {'executables': {'linux-amd64': 'server/dist/plugin-linux-amd64'}}
    else:
        document['webapp'] = {'bundle_path': 'webapp/dist/main.js'}
    return document


def _add(archive, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, 1767225600
    archive.addfile(info, io.BytesIO(data))


def build(directory, version, binary=None, plugin_id=PLUGIN_ID, min_server_version=None):
    """Write <directory>/<id>-<version>.tar.gz; with no `binary`, a webapp-only bundle. Returns (path, manifest)."""
    document = manifest(version, plugin_id, min_server_version, server=binary is not None)
    path = os.path.join(directory, '%s-%s.tar.gz' % (plugin_id, version))
    with tarfile.open(path, 'w:gz') as archive:
        _add(archive, '%s/plugin.json' % plugin_id, json.dumps(document, indent=2).encode())
        if binary is None:
            _add(archive, '%s/webapp/dist/main.js' % plugin_id, b'// mmops e2e webapp plugin\n')
        else:
            with open(binary, 'rb') as handle:
                _add(archive, '%s/server/dist/plugin-linux-amd64' % plugin_id, handle.read(), mode=0o755)
    return path, document
