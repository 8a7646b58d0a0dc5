# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plugin bundles (.tar.gz): read and check the manifest without unpacking anything, and verify checksums."""

import errno
import gzip
import hashlib
import io
import json
import os
import re
import stat
import tarfile
import traceback
from typing import IO, Optional, cast
import zlib

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import MattermostOpsError
from ansible_collections.mmops.mattermost.plugins.module_utils._files import replace_in_directory
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import PluginIdError, validate_plugin_id
from ansible_collections.mmops.mattermost.plugins.module_utils._version import parse_version

try:
    import yaml
except ImportError:
    HAS_YAML = False
    YAML_IMPORT_ERROR: Optional[str] = traceback.format_exc()
else:
    HAS_YAML = True
    YAML_IMPORT_ERROR = None

# Mattermost looks for these in the plugin root, in this order; the first one present wins.
MANIFEST_NAMES = ('plugin.yml', 'plugin.yaml', 'plugin.json')
MAX_MANIFEST_SIZE = 1 << 20
DRAIN_CHUNK = 1 << 20
# Room per member, on top of the member sizes, for its header, padding and a pax or long-name extension.
_HEADER_ALLOWANCE = 4096

_CHECKSUM = re.compile(r'(?:sha256:)?([0-9a-fA-F]{64})')


class BundleError(MattermostOpsError):
    """A plugin bundle that cannot be used; the message names the bundle and what is wrong with it."""


class _CappedReader:
    """The decompressed tar stream, refused once it grows past `limit` bytes.

    Member sizes are checked from their headers before their data is read; this cap also covers the
    header extensions (pax, GNU long names) that tarfile reads whole into memory. It also keeps the
    most recent bytes, so that the block where tarfile stopped can be examined afterwards.
    """

    _WINDOW = 4 * tarfile.RECORDSIZE

    def __init__(self, stream, limit, bundle):
        self._stream = stream
        self._limit = limit
        self._bundle = bundle
        self.consumed = 0
        self._window = b''

    def read(self, size):
        data = self._stream.read(size)
        self.consumed += len(data)
        if self.consumed > self._limit:
            raise _too_large(self._bundle, self._limit)
        self._window = (self._window + data)[-self._WINDOW :]
        return data

    def block_after_drain(self, offset):
        """Read the stream to its end (gzip checks its length and CRC there); return the block at `offset`."""
        start = self.consumed - len(self._window)
        block = self._window[offset - start : offset - start + tarfile.BLOCKSIZE] if offset >= start else b''
        while True:
            data = self.read(DRAIN_CHUNK)
            if not data:
                return block
            if len(block) < tarfile.BLOCKSIZE:
                block += data[: tarfile.BLOCKSIZE - len(block)]


def _check_archive_end(bundle, reader, offset):
    """tarfile ends quietly at a truncated or unreadable header, where Mattermost's tar reader fails: refuse both."""
    block = reader.block_after_drain(offset)
    if reader.consumed == offset:
        return  # no end-of-archive blocks after the last member: accepted by Mattermost too
    if len(block) < tarfile.BLOCKSIZE:
        raise BundleError('%s ends inside a tar header at byte %d of the archive: the bundle is truncated' % (bundle, offset))
    if block.count(b'\0') != tarfile.BLOCKSIZE:
        raise BundleError('%s has an unreadable tar header at byte %d of the archive: the bundle is corrupt' % (bundle, offset))


def _too_large(bundle, limit):
    return BundleError('%s unpacks to more than %d bytes; refusing it as a possible gzip bomb' % (bundle, limit))


def _printable(text):
    """`text` as ASCII, undecodable bytes (tarfile keeps them as surrogates) shown as \\xNN: safe in messages and JSON."""
    return text.encode('utf-8', 'surrogateescape').decode('ascii', 'backslashreplace')


def _check_utf8(bundle, member):
    """Refuse names Mattermost and JSON cannot carry: the error must name the member, not fail to serialise it."""
    for what, text in (('a member whose name', member.name), ('%s, a link whose target' % _printable(member.name), member.linkname)):
        try:
            text.encode('utf-8')
        except UnicodeEncodeError:
            raise BundleError("%s holds %s is not UTF-8: '%s'; rename it in UTF-8 and rebuild the bundle" % (bundle, what, _printable(text)))


def _member_parts(bundle, member):
    """The member's path components ('.' and empty ones dropped); refuses paths that could land outside the plugin directory."""
    _check_utf8(bundle, member)
    if member.name.startswith('/'):
        raise BundleError('%s holds %s, an absolute path; a plugin bundle may only hold relative paths' % (bundle, member.name))
    parts = [part for part in member.name.split('/') if part not in ('', '.')]
    if '..' in parts:
        raise BundleError('%s holds %s, a path with a ".." component; a plugin bundle may not refer outside itself' % (bundle, member.name))
    return parts


def _check_link(bundle, member, parts):
    """Refuse a link whose target lies outside the bundle (resolved lexically, from the member's path); return the target's parts."""
    target = member.linkname
    escape = BundleError('%s holds %s, a link to %s outside the bundle; rebuild the bundle without it' % (bundle, member.name, target))
    if target.startswith('/'):
        raise escape
    # A symbolic link's target is relative to the link's own directory, a hard link's to the archive root.
    resolved = parts[:-1] if member.issym() else []
    for part in target.split('/'):
        if part == '..':
            if not resolved:
                raise escape
            resolved.pop()
        elif part not in ('', '.'):
            resolved.append(part)
    return resolved


def _read_candidate(bundle, archive, member):
    if member.size > MAX_MANIFEST_SIZE:
        raise BundleError('%s: %s is %d bytes; a plugin manifest may be at most %d bytes' % (bundle, member.name, member.size, MAX_MANIFEST_SIZE))
    return archive.extractfile(member).read()


def _scan(bundle, archive, max_uncompressed, max_members, visit):
    """Check every member; return the top-level entries ({name: is a directory}), the first member under each,
    the manifest candidates' contents and the links ([(member name, its target, the target's parts)])."""
    top_level: dict[str, bool] = {}
    first_members: dict[str, str] = {}
    candidates = {}
    links = []
    declared_size = 0
    count = 0
    for member in archive:
        count += 1
        if count > max_members:
            raise BundleError('%s holds more than %d members; a plugin bundle that large is refused' % (bundle, max_members))
        declared_size += member.size
        if declared_size > max_uncompressed:
            raise _too_large(bundle, max_uncompressed)
        parts = _member_parts(bundle, member)
        if member.isdev():
            raise BundleError('%s holds %s, a device or FIFO; a plugin bundle may only hold files, directories and links' % (bundle, member.name))
        # Mattermost skips links when it unpacks a bundle. Links that escape the bundle are refused here
        # as a sign of a tampered or broken bundle; links inside it are harmless and accepted.
        if member.issym() or member.islnk():
            links.append((member.name, member.linkname, _check_link(bundle, member, parts)))
            continue
        # Like Mattermost, only directories and regular files make up the unpacked tree.
        if not parts or not (member.isdir() or member.isreg()):
            continue
        top_level[parts[0]] = top_level.get(parts[0], False) or len(parts) > 1 or member.isdir()
        first_members.setdefault(parts[0], '/'.join(parts))
        # Only a manifest in the archive root or in the single top-level directory can ever be used.
        could_be_manifest = member.isreg() and parts[-1] in MANIFEST_NAMES and (len(parts) == 1 or (len(parts) == 2 and len(top_level) == 1))
        data = None
        if could_be_manifest:
            data = candidates['/'.join(parts)] = _read_candidate(bundle, archive, member)
        if visit is not None:
            # A stream can be read only once: a manifest candidate's data is handed on from memory.
            visit(parts, member, io.BytesIO(data) if data is not None else archive.extractfile(member) if member.isreg() else None)
    if not count:
        raise BundleError('%s is an empty archive; a plugin bundle holds a plugin.json (or plugin.yml) and the plugin files' % bundle)
    return top_level, first_members, candidates, links


def _check_links(path, root, links):
    """No link may point outside the plugin root: unpacked, that root becomes <plugins dir>/<id>/ and nothing else."""
    for name, target, resolved in links:
        if resolved[: len(root)] != root:
            raise BundleError('%s holds %s, a link to %s outside the plugin directory %s/; rebuild the bundle without it' % (path, name, target, root[0]))


def _no_manifest(path, root, top_level, first_members):
    directories = [name for name, is_directory in top_level.items() if is_directory]
    if not root and len(top_level) > 1 and directories:
        # The bundle was meant to be <id>/..., and something lies beside that directory: name it.
        outside = [first_members[name] for name in top_level if name != directories[0]]
        return BundleError(
            '%s has no %s in the archive root, where Mattermost looks for the plugin manifest when a bundle '
            'has more than one top-level entry; it holds members outside the plugin directory %s/: %s. '
            'A plugin bundle holds one directory, <plugin id>/, with everything in it' % (path, ', '.join(MANIFEST_NAMES), directories[0], ', '.join(outside))
        )
    return BundleError(
        '%s has no %s in %s, where Mattermost looks for the plugin manifest'
        % (path, ', '.join(MANIFEST_NAMES), '%s/' % root[0] if root else 'the archive root')
    )


def _parse_manifest(location, name, data):
    if name == 'plugin.json':
        try:
            manifest = json.loads(data)
        except ValueError as exc:
            raise BundleError('%s is not valid JSON: %s' % (location, exc))
    else:
        if not HAS_YAML:
            raise BundleError(missing_required_lib('PyYAML', reason='to read the YAML manifest %s' % location))
        try:
            manifest = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            raise BundleError('%s is not valid YAML: %s' % (location, exc))
    if not isinstance(manifest, dict):
        raise BundleError('%s must hold a mapping of manifest fields (id, version, ...), not %s' % (location, type(manifest).__name__))
    return manifest


def read_manifest(path, max_uncompressed=1 << 30, max_members=10000):
    """The manifest of the plugin bundle at `path`, found and read as Mattermost does, with its id lower-cased.

    The archive is only streamed through, never unpacked. Raises BundleError for an unreadable, unsafe or
    oversized archive, a missing or invalid manifest, an invalid id, or a missing or non-semver version.
    """
    return read_bundle(path, max_uncompressed=max_uncompressed, max_members=max_members)[0]


def read_bundle(path, visit=None, max_uncompressed=1 << 30, max_members=10000):
    """(manifest, root) of the plugin bundle at `path`, checked as read_manifest does; `root` is the plugin root's parts.

    `visit(parts, member, stream)`, when given, is called for each directory and regular file that passed the member
    checks, in archive order, with a stream of its data (None for a directory). The whole bundle is checked
    only at the end: whoever unpacks in `visit` must unpack into a private place and discard it on BundleError.
    """
    # tarfile reads the stream in whole records, hence the extra record.
    stream_limit = max_uncompressed + (max_members + 1) * _HEADER_ALLOWANCE + tarfile.RECORDSIZE
    try:
        with gzip.open(path, 'rb') as decompressed:
            reader = _CappedReader(decompressed, stream_limit, path)
            # A stream ('r|') is only read; typeshed's fileobj protocol also asks for write, seek and tell.
            with tarfile.open(fileobj=cast(IO[bytes], reader), mode='r|') as archive:
                top_level, first_members, candidates, links = _scan(path, archive, max_uncompressed, max_members, visit)
                _check_archive_end(path, reader, archive.offset)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BundleError(
            'cannot read %s as a plugin bundle (a gzip-compressed tar archive): %s; '
            'check that the file is complete and is a .tar.gz plugin bundle' % (path, exc)
        )

    # As Mattermost: a single top-level directory is the plugin root, otherwise the archive root is.
    root = [name for name, is_directory in top_level.items() if is_directory] if len(top_level) == 1 else []
    _check_links(path, root, links)
    for name in MANIFEST_NAMES:
        member_path = '/'.join(root + [name])
        if member_path in candidates:
            break
    else:
        raise _no_manifest(path, root, top_level, first_members)

    location = '%s in %s' % (member_path, path)
    manifest = _parse_manifest(location, name, candidates[member_path])
    for field in ('id', 'version'):
        if manifest.get(field) is None:
            raise BundleError('%s has no %s; the collection needs a plugin id and a semver version in the manifest' % (location, field))
    try:
        manifest['id'] = validate_plugin_id(manifest['id'])
        parse_version(manifest['version'])
    except (BundleError, PluginIdError, ValueError) as exc:
        raise BundleError('%s: %s' % (location, exc))
    return manifest, root


def sha256_file(path, chunk_size=1 << 20):
    """The hex SHA-256 digest of the file at `path`, read in chunks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b''):
            digest.update(chunk)
    return digest.hexdigest()


def parse_checksum(text):
    """The lower-case hex digest of `sha256:<64 hex digits>` (or of the bare 64 hex digits); ValueError otherwise."""
    match = _CHECKSUM.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError('invalid checksum %r: expected sha256:<64 hexadecimal digits>' % (text,))
    return match.group(1).lower()


def verify_checksum(path, expected_text):
    """Return the file's SHA-256 digest if it matches `expected_text`, else raise BundleError."""
    expected = parse_checksum(expected_text)
    actual = sha256_file(path)
    if actual != expected:
        raise BundleError('%s: checksum mismatch: expected sha256:%s, got sha256:%s; the file is not the one the checksum describes' % (path, expected, actual))
    return actual


class BundleCache:
    """Downloaded bundles kept by SHA-256 on the host the modules run on, so a fleet run downloads each bundle once.

    Only bundles whose checksum the task gives are cached: the key is known before the download. A cached bundle is
    copied into the module's private temporary directory and hashed while it is copied, so the bytes checked and
    uploaded are the bytes hashed, whatever happens to the cache meanwhile. A directory others can write, or a link
    where a bundle should be, is refused: either could make the modules upload a planted bundle.
    The directory is $MMOPS_MATTERMOST_BUNDLE_CACHE, else $XDG_CACHE_HOME/mmops.mattermost/bundles (~/.cache/...).
    """

    def __init__(self, directory=None):
        base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
        self.directory = directory or os.environ.get('MMOPS_MATTERMOST_BUNDLE_CACHE') or os.path.join(base, 'mmops.mattermost', 'bundles')

    def _open_directory(self):
        """A descriptor of the cache directory, checked: every entry is then reached through it, never by a path again."""
        try:
            handle = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise BundleError(
                    'the bundle cache %s is a symbolic link or not a directory; set MMOPS_MATTERMOST_BUNDLE_CACHE to the real directory' % self.directory
                )
            raise
        status = os.fstat(handle)
        problem = None
        if status.st_uid not in (os.geteuid(), 0):
            problem = 'is owned by user id %d, not by this user (%d) or root' % (status.st_uid, os.geteuid())
        elif status.st_mode & 0o022:
            problem = 'is writable by %s (mode %04o)' % (
                'group and others' if status.st_mode & 0o022 == 0o022 else 'others' if status.st_mode & 0o002 else 'its group',
                status.st_mode & 0o7777,
            )
        if problem:
            os.close(handle)
            raise BundleError(
                'the bundle cache %s %s, so a bundle planted there could be uploaded; make it private '
                '(chmod 700, owned by the user running the modules) or set MMOPS_MATTERMOST_BUNDLE_CACHE to '
                'such a directory' % (self.directory, problem)
            )
        return handle

    def fetch(self, digest, destination):
        """Copy the cached bundle with this SHA-256 to `destination`; True when it was there and its bytes match."""
        if not os.path.lexists(self.directory):
            return False
        name = '%s.tar.gz' % digest
        try:
            directory = self._open_directory()
        except OSError:
            return False  # a cache that cannot be read only costs a download
        try:
            try:
                # Non-blocking: a FIFO planted there must not hang the open (the type check below refuses it).
                handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise BundleError(
                        '%s in the bundle cache is a symbolic link; the cache holds only files the modules '
                        'wrote: remove it' % os.path.join(self.directory, name)
                    )
                return False
            with os.fdopen(handle, 'rb') as source, open(destination, 'wb') as target:
                if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                    raise BundleError('%s in the bundle cache is not a regular file: remove it' % os.path.join(self.directory, name))
                copied = hashlib.sha256()
                for chunk in iter(lambda: source.read(DRAIN_CHUNK), b''):
                    copied.update(chunk)
                    target.write(chunk)
        finally:
            os.close(directory)
        return copied.hexdigest() == digest

    def store(self, path, digest):
        """Keep a copy of a verified bundle; a cache that cannot be written only costs a later download."""
        try:
            if not os.path.lexists(self.directory):
                os.makedirs(self.directory, 0o700)
            directory = self._open_directory()
        except OSError:
            return
        try:
            replace_in_directory(directory, '%s.tar.gz' % digest, path, 0o600)
        except OSError:
            pass
        finally:
            os.close(directory)
