# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which module_utils each module ships: Ansible packs every module_utils a module imports, and what those import,
found by reading the sources (imports inside functions count too). A module that gains one fails here: either it
needs it (add it below, in the same change) or an import tangle pulled it in (untangle it)."""

import ast
import os

import pytest

PLUGINS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'plugins')
PACKAGE = 'ansible_collections.mmops.mattermost.plugins.module_utils'

API = ['_client', '_errors', '_module', '_result']
# _plugin_id through _marketplace, which drops Marketplace entries whose id Mattermost would refuse.
SERVER_VIEW = API + ['_marketplace', '_plugin_config', '_plugin_id', '_server', '_setting_gates', '_version']
# _files through _bundle, whose bundle cache writes through its directory's descriptor.
BUNDLE = ['_bundle', '_files']
RECONCILER = SERVER_VIEW + BUNDLE + ['_deadline', '_gpg', '_plugin']
GPG = ['_deadline', '_errors', '_gpg']

EXPECTED = {
    'marketplace_info': SERVER_VIEW + ['_marketplace_info'],
    'marketplace_publish': API + BUNDLE + ['_marketplace', '_marketplace_publish', '_plugin_id', '_version'],
    'plugin': RECONCILER,
    'plugin_bundle': GPG + BUNDLE + ['_plugin_bundle', '_plugin_id', '_result', '_version'],
    'plugin_config': API + ['_plugin_config', '_plugin_id', '_setting_gates'],
    # _files through _config_file (plugin_uploads_config writes config.json with it).
    'plugin_dirs': ['_config_file', '_errors', '_files', '_plugin_dirs', '_result'],
    'plugin_info': SERVER_VIEW + ['_plugin_info'],
    'plugin_key': API + GPG + ['_config_file', '_config_store', '_files', '_plugin_key'],
    'plugin_set': RECONCILER,
    'plugin_settings': API + ['_plugin_settings', '_setting_gates'],
    'plugin_signature': GPG + ['_files', '_plugin_signature'],
    'plugin_uploads_config': ['_config_file', '_errors', '_files'],
    'signing_key': GPG + ['_files', '_signing_key'],
}


def imported_module_utils(path):
    """The collection's module_utils that the file at `path` imports, anywhere in it."""
    with open(path) as handle:
        tree = ast.parse(handle.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            if node.module == PACKAGE:
                found.update(alias.name for alias in node.names)
            else:
                found.add(node.module[len(PACKAGE) + 1 :].split('.')[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name[len(PACKAGE) + 1 :].split('.')[0] for alias in node.names if alias.name.startswith(PACKAGE + '.'))
    return found


def closure(module_name):
    seen, pending = set(), list(imported_module_utils(os.path.join(PLUGINS, 'modules', module_name + '.py')))
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(imported_module_utils(os.path.join(PLUGINS, 'module_utils', name + '.py')))
    return sorted(seen)


def test_every_module_is_listed():
    modules = sorted(name[: -len('.py')] for name in os.listdir(os.path.join(PLUGINS, 'modules')) if name.endswith('.py'))
    assert modules == sorted(EXPECTED)


@pytest.mark.parametrize('module_name', sorted(EXPECTED))
def test_a_module_ships_only_the_module_utils_it_uses(module_name):
    assert closure(module_name) == sorted(set(EXPECTED[module_name]))


def test_the_gpg_modules_ship_neither_the_rest_client_nor_the_bundle_reader():
    for module_name in ('signing_key', 'plugin_signature'):
        assert not set(closure(module_name)) & {'_client', '_module', '_bundle', '_config_store'}, module_name
