# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way the collection replaces a file: a temporary file in the same directory, renamed over the target.

What AnsibleModule.atomic_move keeps (owner, mode, SELinux context of the file it replaces) is kept, but set on the
temporary file before the rename, and a new file gets its mode before it appears: atomic_move widens a new file to
0666 & ~umask after the rename, too late and too wide for a private key. The data is on disk (fsync of the file and
its directory) before and after the rename, so a crash leaves the old file or the new one, never an empty one.
Where a path could hold a planted link (the plugin directories on the server, the bundle cache), a file is replaced
through the descriptor of its directory instead, never following a link there: replace_in_directory.
"""

import errno
import os
import tempfile
import uuid

_CHUNK = 1 << 20


def _fsync_directory(directory):
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umasked(mode):
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def copy_stream(stream, fd):
    """Write all that the binary `stream` holds to the descriptor `fd` (os.write may write less on a signal or a full disk)."""
    for chunk in iter(lambda: stream.read(_CHUNK), b''):
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]


def replace_in_directory(dir_fd, name, source, mode, owner=None):
    """Replace `name` in the directory open as `dir_fd` with a copy of the file at `source`.

    The copy is a new file (O_EXCL, O_NOFOLLOW) that gets `mode` and `owner` (uid, gid) and is on disk before it is
    renamed over `name`; a failure leaves the old file and no temporary one.
    """
    temporary = '.%s.%s' % (name, uuid.uuid4().hex[:12])
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=dir_fd)
    fd_open = True
    try:
        with open(source, 'rb') as stream:
            copy_stream(stream, fd)
        if owner is not None:
            os.fchown(fd, *owner)
        os.fchmod(fd, mode)
        os.fsync(fd)
        os.close(fd)
        fd_open = False
        os.rename(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        os.fsync(dir_fd)
    except BaseException:
        if fd_open:
            os.close(fd)
        try:
            os.unlink(temporary, dir_fd=dir_fd)
        except OSError:
            pass
        raise


def replace_file(path, data=None, fill=None, mode=None, keep_mode=True, owner_like=None, module=None, backup=False):
    """Put `data` (bytes) at `path`, or what `fill(temporary)` writes at a temporary path (streaming, large files).

    An existing file keeps its owner, SELinux context and (unless not `keep_mode`) its mode; a new one gets `mode`
    (0666 & ~umask when None), the owner of `owner_like` when running as root, and the default SELinux context.
    `module` (an AnsibleModule) is needed for SELinux contexts and for `backup`; returns the backup's path or None.
    """
    directory = os.path.dirname(os.path.abspath(path))
    exists = os.path.exists(path)
    backup_file = module.backup_local(path) if backup and exists else None
    handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(handle, 'wb') as stream:
            if data is not None:
                stream.write(data)
        if fill is not None:
            fill(temporary)
        with open(temporary, 'rb') as stream:
            os.fsync(stream.fileno())
        model = path if exists else owner_like
        os.chmod(temporary, os.stat(path).st_mode & 0o7777 if keep_mode and exists else (_umasked(0o666) if mode is None else mode))
        if model and os.path.exists(model):
            status = os.stat(model)
            if (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.chown(temporary, status.st_uid, status.st_gid)
                except OSError as exc:
                    # Not root: the file stays ours, as any file we write would.
                    if exc.errno != errno.EPERM:
                        raise
        context = None
        if module is not None and module.selinux_enabled():
            context = module.selinux_context(path) if exists else module.selinux_default_context(path)
            module.set_context_if_different(temporary, context, False)
        os.replace(temporary, path)
        _fsync_directory(directory)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return backup_file
