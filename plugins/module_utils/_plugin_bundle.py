# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin_bundle module: a checked bundle placed as a file, or unpacked into <plugins dir>/<id>/, as root.

The directories written into belong to the service user, who may plant links there or rename entries. So every
write goes through a directory descriptor and O_NOFOLLOW, nothing is ever followed below the directory given, and
a plugin directory is built beside its final place and renamed into it.
"""

import binascii
import ctypes
import errno
import grp
import hashlib
import os
import pwd
import shutil
import stat
from typing import Optional

from ansible_collections.mmops.mattermost.plugins.module_utils._bundle import BundleError, read_bundle, sha256_file, verify_checksum
from ansible_collections.mmops.mattermost.plugins.module_utils._files import copy_stream, replace_in_directory

_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)
_DIRECTORY = os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0) | _NOFOLLOW
_CHUNK = 1 << 20
_RENAME_EXCHANGE = 2  # linux/fs.h
# What Mattermost's unpacked tree needs; no setuid, setgid, sticky or world-writable bit ever reaches the disk.
DIRECTORY_MODE = 0o755


def file_mode(member_mode):
    """An unpacked file's mode: executable for everyone if the bundle made it executable at all, else 0644."""
    return 0o755 if member_mode & 0o111 else 0o644


def _ids(owner, group):
    try:
        uid = pwd.getpwnam(owner).pw_uid if owner else os.geteuid()
        gid = grp.getgrnam(group).gr_gid if group else os.getegid()
    except KeyError as exc:
        raise BundleError('unknown user or group %s on this host: set owner and group to the service user' % exc)
    return uid, gid


def _digest_of_fd(fd):
    digest = hashlib.sha256()
    for chunk in iter(lambda: os.read(fd, _CHUNK), b''):
        digest.update(chunk)
    return digest.hexdigest()


def _private_copy(src, tmpdir, name):
    """A copy of `src` only this module can change: the checks and the write use exactly the same bytes."""
    if not os.path.isfile(src):
        raise BundleError('%s does not exist or is not a file' % src)
    copy = os.path.join(tmpdir, name)
    shutil.copyfile(src, copy)
    return copy


def _entry_state(dir_fd, name):
    """os.lstat of `name` in the directory `dir_fd`, or None when it does not exist."""
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _open_directory(path, what):
    try:
        return os.open(path, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    except OSError as exc:
        raise BundleError('cannot open the %s %s: %s; create it first (owned by the service user)' % (what, path, exc.strerror))


def _refuse_other(parent, name, status, expected):
    """Refuse an existing `name` that is not of the `expected` type (S_ISREG or S_ISDIR): a link is never followed."""
    if status is not None and not expected(status.st_mode):
        kind = 'a symbolic link' if stat.S_ISLNK(status.st_mode) else 'not a %s' % ('directory' if expected is stat.S_ISDIR else 'file')
        raise BundleError(
            '%s is %s; it is never followed or replaced. Remove it (and find out who put it there), then run again' % (os.path.join(parent, name), kind)
        )


# --- placing a file --------------------------------------------------------------------------------


def _file_view(dir_fd, name):
    """'sha256:<digest> owner uid:gid mode 0NNN' of the regular file `name`, or None when missing."""
    status = _entry_state(dir_fd, name)
    if status is None or not stat.S_ISREG(status.st_mode):
        return None
    fd = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=dir_fd)
    try:
        digest = _digest_of_fd(fd)
    finally:
        os.close(fd)
    return 'sha256:%s owner %d:%d mode %04o' % (digest, status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode))


def _place(module, bundle, signature, uid, gid, result):
    dest = module.params['dest']
    directory, name = os.path.split(os.path.abspath(dest))
    mode = int(module.params['mode'], 8)
    if mode & ~0o777:
        raise BundleError('mode %s: only permission bits (at most 0777) are allowed' % module.params['mode'])
    files = [(name, bundle)] + ([(name + '.sig', signature)] if signature else [])
    dir_fd = _open_directory(directory, 'directory of dest')
    try:
        changes = []
        for file_name, source in files:
            _refuse_other(directory, file_name, _entry_state(dir_fd, file_name), stat.S_ISREG)
            before = _file_view(dir_fd, file_name)
            after = 'sha256:%s owner %d:%d mode %04o' % (sha256_file(source), uid, gid, mode)
            if before != after:
                changes.append((file_name, source, before, after))
        result['changed'] = bool(changes)
        result['actions'] = ['place %s' % os.path.join(directory, file_name) for file_name, _s, _b, _a in changes]
        result['diff'] = [
            dict(
                before_header=os.path.join(directory, file_name),
                after_header=os.path.join(directory, file_name),
                before='%s\n' % before if before else '',
                after='%s\n' % after,
            )
            for file_name, _s, before, after in changes
        ]
        if not module.check_mode:
            for file_name, source, _b, _a in changes:
                replace_in_directory(dir_fd, file_name, source, mode, owner=(uid, gid))
    finally:
        os.close(dir_fd)
    result['path'] = dest


# --- unpacking a plugin ----------------------------------------------------------------------------


def _wanted_tree(bundle, uid, gid):
    """The manifest, the plugin root, and {relative path: (kind, mode, uid, gid, sha256)} the bundle unpacks to.

    The plugin directory itself is the entry ''.
    """
    members: dict[str, tuple[bool, int, Optional[str]]] = {}
    manifest, root = read_bundle(bundle, visit=_digesting(bundle, members))
    directory = ('dir', DIRECTORY_MODE, uid, gid, None)
    wanted: dict[str, tuple[str, int, int, int, Optional[str]]] = {'': directory}
    for path, (is_directory, mode, digest) in members.items():
        parts = path.split('/')
        if parts[: len(root)] != root or len(parts) == len(root):
            continue
        relative = parts[len(root) :]
        for depth in range(1, len(relative)):  # the directories a member implies
            wanted.setdefault('/'.join(relative[:depth]), directory)
        wanted['/'.join(relative)] = directory if is_directory else ('file', file_mode(mode), uid, gid, digest)
    for relative_path in wanted:
        parent = relative_path.rpartition('/')[0]
        if parent and wanted[parent][0] != 'dir':
            raise BundleError('%s holds %s inside %s, which it also holds as a file' % (bundle, relative_path, parent))
    return manifest, root, wanted


def _digesting(bundle, members):
    """A read_bundle visitor noting each member's kind, mode and SHA-256 in `members`."""

    def visit(parts, member, stream):
        digest: Optional[str] = None
        if member.isreg():
            sha256 = hashlib.sha256()
            for chunk in iter(lambda: stream.read(_CHUNK), b''):
                sha256.update(chunk)
            digest = sha256.hexdigest()
        previous = members.get('/'.join(parts))
        if previous is not None and previous[0] != member.isdir():
            raise BundleError('%s holds %s twice, as a file and as a directory' % (bundle, member.name))
        members['/'.join(parts)] = (member.isdir(), member.mode, digest)

    return visit


def _existing_tree(dir_fd, prefix=''):
    """{relative path: (kind, mode, uid, gid, sha256)} of the directory `dir_fd`, links and all, never followed."""
    found = {}
    with os.scandir(dir_fd) as scan:
        entries = list(scan)
    for entry in entries:
        status = entry.stat(follow_symlinks=False)
        relative = prefix + entry.name
        ids = (stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid)
        if stat.S_ISDIR(status.st_mode):
            found[relative] = ('dir',) + ids + (None,)
            child = os.open(entry.name, _DIRECTORY, dir_fd=dir_fd)
            try:
                found.update(_existing_tree(child, relative + '/'))
            finally:
                os.close(child)
        elif stat.S_ISREG(status.st_mode):
            fd = os.open(entry.name, os.O_RDONLY | _NOFOLLOW, dir_fd=dir_fd)
            try:
                found[relative] = ('file',) + ids + (_digest_of_fd(fd),)
            finally:
                os.close(fd)
        else:
            found[relative] = ('other',) + ids + (None,)
    return found


def _remove_tree(parent_fd, name):
    """rm -r of `name` in `parent_fd`, through descriptors: a link in it is removed, never followed."""
    fd = os.open(name, _DIRECTORY, dir_fd=parent_fd)
    try:
        with os.scandir(fd) as scan:
            entries = list(scan)
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _remove_tree(fd, entry.name)
            else:
                os.unlink(entry.name, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=parent_fd)


def _extracting(root, top_fd, uid, gid):
    """A read_bundle visitor writing the plugin root's directories and files under the private directory `top_fd`."""

    def directory_fd(parts):
        fd = os.dup(top_fd)
        for part in parts:
            if _entry_state(fd, part) is None:
                os.mkdir(part, 0o700, dir_fd=fd)
            child = os.open(part, _DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
            os.fchown(fd, uid, gid)
            os.fchmod(fd, DIRECTORY_MODE)
        return fd

    def visit(parts, member, stream):
        if parts[: len(root)] != root or len(parts) == len(root):
            return
        relative = parts[len(root) :]
        if member.isdir():
            os.close(directory_fd(relative))
            return
        parent = directory_fd(relative[:-1])
        try:
            fd = os.open(relative[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600, dir_fd=parent)
        finally:
            os.close(parent)
        try:
            copy_stream(stream, fd)
            os.fchown(fd, uid, gid)
            os.fchmod(fd, file_mode(member.mode))
        finally:
            os.close(fd)

    return visit


def _tree_lines(tree):
    return ''.join(
        '%s %s %04o %d:%d%s\n' % (path, kind, mode, uid, gid, ' sha256:%s' % digest if digest else '')
        for path, (kind, mode, uid, gid, digest) in sorted(tree.items())
    )


def _unpack(module, bundle, uid, gid, result):
    plugins = os.path.abspath(module.params['dest'])
    manifest, root, wanted = _wanted_tree(bundle, uid, gid)
    plugin_id = manifest['id']
    target = os.path.join(plugins, plugin_id)
    dir_fd = _open_directory(plugins, 'plugins directory')
    try:
        status = _entry_state(dir_fd, plugin_id)
        _refuse_other(plugins, plugin_id, status, stat.S_ISDIR)
        existing = None
        if status is not None:
            fd = os.open(plugin_id, _DIRECTORY, dir_fd=dir_fd)
            try:
                existing = _existing_tree(fd)
            finally:
                os.close(fd)
            existing[''] = ('dir', stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid, None)
        result['path'] = target
        result['changed'] = existing != wanted
        if not result['changed']:
            return
        result['actions'] = ['unpack %s %s into %s' % (plugin_id, manifest['version'], target)]
        result['diff'] = dict(before_header=target, after_header=target, before=_tree_lines(existing or {}), after=_tree_lines(wanted))
        if module.check_mode:
            return
        leftover = _replace_plugin_directory(dir_fd, plugin_id, bundle, root, uid, gid, status is not None)
        if leftover:
            module.warn('%s: %s' % (target, leftover))
    finally:
        os.close(dir_fd)


def _exchange(dir_fd, first, second):
    """Swap two names in one step with Linux's renameat2(RENAME_EXCHANGE); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(dir_fd, os.fsencode(first), dir_fd, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL):  # old kernel, or a file system without it
        return False
    raise OSError(error, os.strerror(error), second)


def _replace_plugin_directory(dir_fd, plugin_id, bundle, root, uid, gid, exists):
    """Unpack into a new directory beside <id>, then swap it into place in one step where Linux can (else rename the
    old one aside first), and remove the old one."""
    token = binascii.hexlify(os.urandom(6)).decode('ascii')
    staging, old = '.%s.mmops-new-%s' % (plugin_id, token), '.%s.mmops-old-%s' % (plugin_id, token)
    # Root's and private while it is filled: the service user cannot reach into it until it is complete.
    os.mkdir(staging, 0o700, dir_fd=dir_fd)
    try:
        top_fd = os.open(staging, _DIRECTORY, dir_fd=dir_fd)
        try:
            read_bundle(bundle, visit=_extracting(root, top_fd, uid, gid))
            os.fchown(top_fd, uid, gid)
            os.fchmod(top_fd, DIRECTORY_MODE)
        finally:
            os.close(top_fd)
        if exists and _exchange(dir_fd, staging, plugin_id):
            old = staging  # the old directory now has the staging name
        else:
            if exists:
                os.rename(plugin_id, old, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            os.rename(staging, plugin_id, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        if _entry_state(dir_fd, staging) is not None and old != staging:
            _remove_tree(dir_fd, staging)
        raise
    status = _entry_state(dir_fd, old) if exists else None
    try:
        if status is not None and stat.S_ISDIR(status.st_mode):
            _remove_tree(dir_fd, old)
        elif status is not None:
            os.unlink(old, dir_fd=dir_fd)
    except OSError as exc:
        # The new version is in place; only the old copy is left (something changed it while it was removed).
        return 'the previous version was kept as %s: %s; remove it' % (old, exc.strerror or exc)
    return None


def place_or_unpack(module):
    """The plugin_bundle module: check the bundle with the collection's reader, then place or unpack what it accepted."""
    params = module.params
    bundle = _private_copy(params['src'], module.tmpdir, 'bundle.tar.gz')
    signature = _private_copy(params['signature'], module.tmpdir, 'bundle.tar.gz.sig') if params['signature'] else None
    result = dict(changed=False, actions=[], checksum='sha256:%s' % sha256_file(bundle), signer=None)
    if params['checksum']:
        verify_checksum(bundle, params['checksum'])
    if params['trusted_keys']:
        if not signature:
            raise BundleError('trusted_keys are given but no signature: give the signature that goes with %s' % params['src'])
        # Imported here: python-gnupg is only needed when a signature is checked.
        from ansible_collections.mmops.mattermost.plugins.module_utils._gpg import verify_bundle

        result['signer'] = verify_bundle(bundle, signature, params['trusted_keys'], module.tmpdir)[0]
    manifest = read_bundle(bundle)[0]
    result.update(plugin_id=manifest['id'], version=manifest['version'])
    uid, gid = _ids(params['owner'], params['group'])
    if params['unpack']:
        _unpack(module, bundle, uid, gid, result)
    else:
        _place(module, bundle, signature, uid, gid, result)
    return result
