# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the plugin directories may be made, and that the walk never goes through a link."""

import json
import os

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_dirs import PluginDirs, PluginDirsError, configured, place


def test_configured_takes_only_the_two_paths_and_defaults(tmp_path):
    config = tmp_path / 'config.json'
    config.write_text(
        json.dumps({'SqlSettings': {'DataSource': 'postgres://u:secret@db'}, 'PluginSettings': {'Directory': '/data/plugins', 'ClientDirectory': ''}})
    )
    assert configured(str(config), {'Directory': '', 'ClientDirectory': ''}) == {'Directory': '/data/plugins', 'ClientDirectory': './client/plugins'}
    assert configured(str(tmp_path / 'missing.json'), {'Directory': '', 'ClientDirectory': 'web'}) == {'Directory': './plugins', 'ClientDirectory': 'web'}


@pytest.mark.parametrize(
    'value,expected',
    [
        ('./plugins', ['plugins']),
        ('client/./plugins/', ['client', 'plugins']),
        ('{install}/plugins', ['plugins']),
        ('./x/../plugins', ['plugins']),
    ],
)
def test_place_below_the_install_dir(tmp_path, value, expected):
    install = tmp_path / 'mm'
    install.mkdir()
    assert place(value.format(install=install), str(install), []) == (str(install), expected)


@pytest.mark.parametrize('value', ['../victim', '../../etc', '/etc', '.', '{install}', '{install}/..', './plugins/../..'])
def test_place_refuses_what_is_not_strictly_below(tmp_path, value):
    install = tmp_path / 'mm'
    install.mkdir()
    with pytest.raises(PluginDirsError, match='mattermost_plugin_dirs_allowed'):
        place(value.format(install=install), str(install), [])


def test_place_rebases_a_linked_install_dir_and_takes_allowed_roots(tmp_path):
    real = tmp_path / 'mattermost-10.5'
    real.mkdir()
    os.symlink(str(real), str(tmp_path / 'mattermost'))
    link = str(tmp_path / 'mattermost')
    assert place(link + '/plugins', link, []) == (str(real), ['plugins'])
    assert place(str(real / 'plugins'), link, []) == (str(real), ['plugins'])
    assert place('/srv/p/server', link, ['/srv/p']) == ('/srv/p', ['server'])
    with pytest.raises(PluginDirsError, match='absolute'):
        place('plugins', link, ['srv'])


def test_ensure_refuses_a_link_at_any_depth_and_checks_before_writing(tmp_path):
    root = tmp_path / 'mm'
    (root / 'a').mkdir(parents=True)
    os.symlink(str(tmp_path), str(root / 'a' / 'b'))
    for parts in (['a', 'b'], ['a', 'b', 'c']):
        with pytest.raises(PluginDirsError, match='symbolic link'):
            PluginDirs(os.getuid(), os.getgid(), '0750', check_mode=True).ensure(str(root), parts)
    assert sorted(os.listdir(str(tmp_path))) == ['mm']


def test_ensure_creates_owns_the_last_and_created_only_and_is_idempotent(tmp_path):
    root = tmp_path / 'mm'
    (root / 'client').mkdir(parents=True)
    os.chmod(str(root / 'client'), 0o755)
    dirs = PluginDirs(os.getuid(), os.getgid(), '0750')
    dirs.ensure(str(root), ['client', 'plugins'])
    dirs.ensure(str(root), ['new', 'plugins'])
    assert dirs.changed and oct(os.stat(str(root / 'client')).st_mode & 0o777) == '0o755'
    assert oct(os.stat(str(root / 'client' / 'plugins')).st_mode & 0o777) == '0o750'
    assert oct(os.stat(str(root / 'new')).st_mode & 0o777) == '0o750'
    again = PluginDirs(os.getuid(), os.getgid(), '0750')
    again.ensure(str(root), ['client', 'plugins'])
    again.ensure(str(root), ['new', 'plugins'])
    assert not again.changed
    checked = PluginDirs(os.getuid(), os.getgid(), 'u+rwx', check_mode=True)
    checked.ensure(str(root), ['other', 'plugins'])
    assert checked.changed and not (root / 'other').exists()
