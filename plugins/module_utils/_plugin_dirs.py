# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin directories of a Mattermost server, made and handed to the service user by root, safely.

PluginSettings.Directory and ClientDirectory come from config.json, which the service user owns and a system admin
can change over the API: root may only act on a path below the install directory (or a root the playbook allows),
walks it one component at a time without following links (openat with O_NOFOLLOW, so a link swapped in meanwhile is
not followed either), and changes the owner and mode of the plugin directories and of what it creates, never of an
existing parent.
"""

import errno
import os
import stat

from ansible_collections.mmops.mattermost.plugins.module_utils._config_file import read_config, setting
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import MattermostOpsError

# Mattermost's defaults when the setting is empty, relative to its working directory.
DEFAULTS = {'Directory': './plugins', 'ClientDirectory': './client/plugins'}
_OPEN_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


class PluginDirsError(MattermostOpsError):
    """A plugin directory that root must not or cannot make."""


def configured(config_path, overrides):
    """{'Directory': value, 'ClientDirectory': value}: `overrides` where set, else config.json's, else the defaults.

    Only these two values are taken from the file; nothing else of it leaves this function."""
    values = dict(overrides)
    if not all(values.values()) and os.path.exists(config_path):
        data = read_config(config_path)[1]
        for key in DEFAULTS:
            values[key] = values[key] or setting(data, 'PluginSettings', key) or ''
    for key, default in DEFAULTS.items():
        if not isinstance(values[key], str):
            raise PluginDirsError('PluginSettings.%s in %s is not a string' % (key, config_path))
        values[key] = values[key] or default
    return values


def place(value, install_dir, allowed):
    """(root, relative parts) of `value` as Mattermost resolves it from `install_dir`: `root` is the real path of
    the install directory or of an allowed directory, the plugin directory lies strictly below it."""
    for root in [install_dir] + list(allowed):
        if not os.path.isabs(root):
            raise PluginDirsError('%s must be an absolute path (mattermost_install_dir and mattermost_plugin_dirs_allowed). Nothing was changed.' % root)
    path = os.path.normpath(os.path.join(install_dir, value))
    for root in [install_dir] + list(allowed):
        # The links above a root are the playbook's own choice (/opt/mattermost -> mattermost-10.5): both spellings count.
        for spelling in (os.path.normpath(root), os.path.realpath(root)):
            relative = os.path.relpath(path, spelling)
            if relative != '.' and relative != '..' and not relative.startswith('../'):
                return os.path.realpath(root), relative.split('/')
    raise PluginDirsError(
        '%s resolves to %s, which is not below mattermost_install_dir (%s) or a directory of mattermost_plugin_dirs_allowed '
        '(%s); root would hand it to the service user. Point the setting into the install directory, or add its parent '
        'to mattermost_plugin_dirs_allowed. Nothing was changed.' % (value, path, install_dir, ', '.join(allowed) or 'none')
    )


def _mode(wanted, status):
    if isinstance(wanted, int):
        return wanted
    try:
        return int(wanted, 8)
    except ValueError:
        # Symbolic (u+rwx): as the file module reads it, against the present mode.
        from ansible.module_utils.basic import AnsibleModule

        return AnsibleModule._symbolic_mode_to_octal(status, wanted)


def _describe(status):
    if status is None:
        return {'state': 'absent'}
    return {'state': 'directory', 'owner': status.st_uid, 'group': status.st_gid, 'mode': '%04o' % stat.S_IMODE(status.st_mode)}


class PluginDirs:
    """Makes each plugin directory below its root; every change is recorded in `before`/`after` for the diff."""

    def __init__(self, uid, gid, mode, check_mode=False):
        self.uid, self.gid, self.mode = uid, gid, mode
        self.check_mode = check_mode
        self.before, self.after = {}, {}

    @property
    def changed(self):
        return self.before != self.after

    def ensure(self, root, parts):
        """Walk from `root` down `parts`, creating what is missing; owner and mode only for what is created and the last."""
        descriptor = os.open(root, _OPEN_DIRECTORY)
        path = root
        try:
            for index, name in enumerate(parts):
                path = os.path.join(path, name)
                last = index == len(parts) - 1
                child = self._open(descriptor, name, path)
                if child is None:
                    self.before[path] = _describe(None)
                    if self.check_mode:
                        self.after[path] = dict(state='directory', owner=self.uid, group=self.gid, mode='%04o' % _mode(self.mode, os.stat(root)))
                        # Nothing below a directory that is not there yet can be looked at.
                        for rest in parts[index + 1 :]:
                            path = os.path.join(path, rest)
                            self.before[path] = _describe(None)
                            self.after[path] = dict(self.after[os.path.dirname(path)])
                        return
                    os.mkdir(name, 0o700, dir_fd=descriptor)
                    child = self._open(descriptor, name, path)
                    self._own(child, path, created=True)
                elif last:
                    self._own(child, path, created=False)
                os.close(descriptor)
                descriptor = child
        finally:
            os.close(descriptor)

    def _open(self, descriptor, name, path):
        """A descriptor of directory `name` in `descriptor`, None when it does not exist; links and files refused."""
        try:
            return os.open(name, _OPEN_DIRECTORY, dir_fd=descriptor)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            try:
                is_link = stat.S_ISLNK(os.lstat(name, dir_fd=descriptor).st_mode)
            except OSError:
                is_link = False
            if is_link:
                raise PluginDirsError(
                    '%s is a symbolic link; the role does not follow links, since the service user could '
                    'point one anywhere. Replace it with a directory (or set the plugin path to the real '
                    'directory) and run again. Nothing was changed.' % path
                )
            raise PluginDirsError('%s is not a directory (%s); nothing was changed there.' % (path, exc.strerror))

    def _own(self, descriptor, path, created):
        status = os.fstat(descriptor)
        if not created:
            self.before[path] = _describe(status)
        mode = _mode(self.mode, status)
        if self.check_mode:
            self.after[path] = dict(state='directory', owner=self.uid, group=self.gid, mode='%04o' % mode)
            return
        if (status.st_uid, status.st_gid) != (self.uid, self.gid):
            os.fchown(descriptor, self.uid, self.gid)
        if stat.S_IMODE(status.st_mode) != mode:
            os.fchmod(descriptor, mode)
        self.after[path] = _describe(os.fstat(descriptor))
