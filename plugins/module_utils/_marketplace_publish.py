# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A static Marketplace mirror: chosen releases fetched from a source Marketplace, published as files.

Layout under the publish directory (served as the server's MarketplaceURL):
  api/v1/plugins          what GET <MarketplaceURL>/api/v1/plugins answers: the newest mirrored release of each id
  by-id/<id>.json         the single-entry answer for ?plugin_id=<id> (for the rewrite described in the role README)
  plugins.json            every mirrored release, in the Marketplace service's --database format
  bundles/<id>-<version>.tar.gz and .tar.gz.sig (the detached signature, decoded)
  SHA256SUMS              checksums of the bundles and signatures, in sha256sum format
"""

import base64
import binascii
import copy
import hashlib
import json
import os

from ansible_collections.mmops.mattermost.plugins.module_utils import _marketplace as marketplace
from ansible_collections.mmops.mattermost.plugins.module_utils._bundle import BundleError, parse_checksum, sha256_file, verify_checksum
from ansible_collections.mmops.mattermost.plugins.module_utils._client import redact_url
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import PluginError
from ansible_collections.mmops.mattermost.plugins.module_utils._files import replace_file
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import PluginIdError, validate_plugin_id

CATALOG = 'api/v1/plugins'
DATABASE = 'plugins.json'
BY_ID = 'by-id'
BUNDLES = 'bundles'
SUMS = 'SHA256SUMS'
# Computed by the Marketplace per answer (stored entries have none) or not mirrored (per-platform bundles).
NOT_STORED = ('labels', 'platforms', 'installed_version')


class Release:
    """One wanted release: the source's entry, and where its files go."""

    def __init__(self, entry, checksum=None):
        self.entry = entry
        self.id = marketplace.entry_id(entry)
        self.version = marketplace.entry_version(entry)
        self.checksum = checksum
        self.bundle = '%s/%s-%s.tar.gz' % (BUNDLES, self.id, self.version)
        self.signature_file = self.bundle + '.sig'
        try:
            self.signature = base64.b64decode(entry.get('signature') or '', validate=True)
        except (binascii.Error, ValueError):
            raise PluginError('%s %s: the source Marketplace gives a signature that is not base64' % (self.id, self.version))
        if not self.signature:
            raise PluginError(
                '%s %s has no signature in the source Marketplace; Mattermost refuses unsigned Marketplace '
                'bundles, so it cannot be mirrored' % (self.id, self.version)
            )


class Mirror:
    """Publishes releases under `dest` for servers reading it at `base_url`; every write is a replace_file for `module`."""

    def __init__(self, client, source_url, dest, base_url, module, check_mode=False):
        self.client = client
        self.source_url = (source_url or marketplace.DEFAULT_MARKETPLACE_URL).rstrip('/')
        self.dest = dest
        self.base_url = base_url.rstrip('/')
        self.module = module
        self.check_mode = check_mode
        self.changed_files = []

    def resolve(self, wanted):
        """The source entries of the wanted [{id, version, checksum}] (all read before anything is written)."""
        releases, seen = [], set()
        for item in wanted:
            try:
                plugin_id = validate_plugin_id(item['id'])
                if item.get('checksum'):
                    parse_checksum(item['checksum'])
            except (BundleError, PluginIdError, ValueError) as exc:
                raise PluginError('plugins: %s' % exc)
            if (plugin_id, item['version']) in seen:
                raise PluginError('plugins: %s %s is listed twice' % (plugin_id, item['version']))
            seen.add((plugin_id, item['version']))
            found = marketplace.all_versions(self.client, self.source_url, plugin_id)
            matching = [entry for entry in found if marketplace.same_version(marketplace.entry_version(entry), item['version'])]
            if not matching:
                raise PluginError(
                    '%s %s is not in the Marketplace at %s (versions listed: %s); nothing was published'
                    % (plugin_id, item['version'], self.source_url, ', '.join(marketplace.entry_version(entry) for entry in found) or 'none')
                )
            releases.append(Release(matching[0], item.get('checksum')))
        return releases

    def publish(self, releases):
        """Fetch what is missing, then write the catalog files; returns one description per release."""
        self.refuse_links()
        described = [self._fetch(release) for release in releases]
        entries = [self._published_entry(release) for release in releases]
        newest = marketplace.select(entries)
        self._write(CATALOG, _json(newest))
        self._write(DATABASE, _json([dict((k, v) for k, v in entry.items() if k not in NOT_STORED) for entry in entries]))
        for entry in newest:
            self._write('%s/%s.json' % (BY_ID, marketplace.entry_id(entry)), _json([entry]))
        self._prune_by_id(set(marketplace.entry_id(entry) for entry in newest))
        # In check mode a bundle not fetched yet has no digest; its absence already counts as a change.
        if all(item['sha256'] for item in described):
            sums = ''.join('%s  %s\n%s  %s\n' % (item['sha256'], item['bundle'], item['signature_sha256'], item['signature_file']) for item in described)
            self._write(SUMS, sums.encode('utf-8'))
        return described

    def refuse_links(self):
        """The tree is often the web server user's, who could plant a link that root would write through: refuse any."""
        links: list[str] = []
        for directory, names, files in os.walk(self.dest):
            links.extend(os.path.relpath(os.path.join(directory, name), self.dest) for name in names + files if os.path.islink(os.path.join(directory, name)))
        if links:
            raise PluginError(
                '%s holds symbolic links (%s); the mirror is written as root and does not follow links. '
                'Remove them (the mirror needs none) and run again. Nothing was changed.' % (self.dest, ', '.join(sorted(links)))
            )

    def published_releases(self):
        """['<id> <version>', ...] of the catalog already published (for the diff)."""
        try:
            with open(os.path.join(self.dest, DATABASE)) as handle:
                return sorted('%s %s' % (marketplace.entry_id(entry), marketplace.entry_version(entry)) for entry in json.load(handle))
        except (IOError, OSError, ValueError):
            return []

    def _published_entry(self, release):
        entry = dict((k, copy.deepcopy(v)) for k, v in release.entry.items() if k not in ('platforms', 'installed_version'))
        entry['download_url'] = '%s/%s' % (self.base_url, release.bundle)
        return entry

    def _fetch(self, release):
        bundle = os.path.join(self.dest, release.bundle)
        have = os.path.isfile(bundle) and _read(os.path.join(self.dest, release.signature_file)) == release.signature
        if have and release.checksum:
            have = sha256_file(bundle) == parse_checksum(release.checksum)
        if not have:
            self.changed_files.append(release.bundle)
            if not self.check_mode:
                self._download(release, bundle)
        self._write(release.signature_file, release.signature)
        exists = os.path.isfile(bundle)
        return dict(
            id=release.id,
            version=release.version,
            bundle=release.bundle,
            signature_file=release.signature_file,
            sha256=sha256_file(bundle) if exists else None,
            signature_sha256=hashlib.sha256(release.signature).hexdigest(),
            fetched=not have,
            source_url=redact_url(release.entry.get('download_url') or ''),
            download_url='%s/%s' % (self.base_url, release.bundle),
            min_server_version=marketplace.min_server_version(release.entry),
            labels=marketplace.label_names(release.entry),
        )

    def _download(self, release, bundle):
        url = release.entry.get('download_url') or ''
        if not url:
            raise PluginError('%s %s has no download_url in the source Marketplace' % (release.id, release.version))

        def fetch(temporary):
            self.client.download(url, temporary, check_url=lambda hop: _refuse_downgrade(release, url, hop))
            if release.checksum:
                try:
                    verify_checksum(temporary, release.checksum)
                except BundleError:
                    raise PluginError(
                        '%s %s from %s does not match checksum %s; it was not published' % (release.id, release.version, redact_url(url), release.checksum)
                    )

        _directory(bundle)
        replace_file(bundle, fill=fetch, module=self.module)

    def _write(self, relative, content):
        """Write `content` (bytes) at `relative` unless it is already there; atomically."""
        path = os.path.join(self.dest, relative)
        if _read(path) == content:
            return
        self.changed_files.append(relative)
        if self.check_mode:
            return
        _directory(path)
        replace_file(path, content, module=self.module)

    def _prune_by_id(self, kept):
        directory = os.path.join(self.dest, BY_ID)
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            if name.endswith('.json') and name[: -len('.json')] not in kept:
                self.changed_files.append('%s/%s' % (BY_ID, name))
                if not self.check_mode:
                    os.remove(os.path.join(directory, name))


def _refuse_downgrade(release, listed, hop):
    """A bundle listed at an https URL is fetched over https only: a plain http hop of a redirect could swap it."""
    if listed.lower().startswith('https://') and not hop.lower().startswith('https://'):
        raise PluginError(
            '%s %s: its download URL %s redirects to %s, which is not https; it was not published'
            % (release.id, release.version, redact_url(listed), redact_url(hop))
        )


def _json(value):
    return (json.dumps(value, indent=2, sort_keys=True) + '\n').encode('utf-8')


def _read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def _directory(path):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory)
    return directory
