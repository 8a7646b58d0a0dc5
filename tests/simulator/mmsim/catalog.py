"""The Marketplace service: its catalog, the bundles it serves, and GET /api/v1/plugins.

Behaviour follows mattermost-marketplace (internal/api/plugins.go, internal/store/static.go,
internal/model/label.go).
"""

import base64
import copy
import gzip
import hashlib
import io
import json
import os
import tarfile

from mmsim import semver

DATA = os.path.join(os.path.dirname(__file__), 'data')
PLATFORMS = ('linux-amd64', 'darwin-amd64', 'windows-amd64')
SIGNATURE_PREFIX = b'mmsim-signature:'
# Newer servers than this do not see enterprise entries unless they ask for them (MM-26507).
ENTERPRISE_CUTOFF = semver.parse('5.25.0')
# Dropped by Mattermost's model when it decodes a Marketplace answer.
MARKETPLACE_ONLY_FIELDS = ('platforms', 'updated_at', 'repo_name', 'listed', 'bundle_manifest')


class BadQuery(Exception):
    """The Marketplace answers a bare status (400 or 500) without a body."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def load_json(name):
    with open(os.path.join(DATA, name)) as handle:
        return json.load(handle)


def signature_bytes(bundle):
    """The simulator's stand-in for a detached signature of `bundle`: a marker and the bundle's digest."""
    return SIGNATURE_PREFIX + hashlib.sha256(bundle).hexdigest().encode()


def sign(bundle):
    """The signature as a Marketplace entry carries it: base64."""
    return base64.b64encode(signature_bytes(bundle)).decode()


def build_bundle(manifest):
    """A deterministic plugin bundle: <id>/plugin.json plus stand-ins for the server and webapp parts."""
    plugin_id = manifest['id']
    files = {'plugin.json': json.dumps(manifest, indent=2).encode()}
    for path in sorted(set((manifest.get('server') or {}).get('executables', {}).values())):
        files[path] = ('#!/bin/sh\n# mmsim stand-in for %s %s\n' % (plugin_id, manifest['version'])).encode()
    if manifest.get('webapp'):
        files[manifest['webapp']['bundle_path']] = b'/* mmsim webapp stand-in */\n'
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.PAX_FORMAT) as archive:
        directories = {plugin_id}
        for path in files:
            parts = path.split('/')[:-1]
            directories.update('/'.join([plugin_id] + parts[: i + 1]) for i in range(len(parts)))
        for directory in sorted(directories):
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            archive.addfile(info)
        for path, content in sorted(files.items()):
            info = tarfile.TarInfo('%s/%s' % (plugin_id, path))
            info.size, info.mtime = len(content), 0
            info.mode = 0o755 if path.startswith('server/') else 0o644
            archive.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


def parse_bool(text, default=False):
    """Go's strconv.ParseBool; an invalid value is a bad query."""
    if text is None:
        return default
    if text in ('1', 't', 'T', 'TRUE', 'true', 'True'):
        return True
    if text in ('0', 'f', 'F', 'FALSE', 'false', 'False'):
        return False
    raise BadQuery(400)


def parse_int(text, default):
    if text is None or text == '':
        return default
    try:
        return int(text)
    except ValueError:
        raise BadQuery(400)


class Catalog:
    """Every release the Marketplace knows, with the bundle of each, served from `base_url`."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip('/')
        self.labels = dict((label['name'], label) for label in load_json('marketplace-labels.json'))
        self.entries = []
        self.bundles = {}
        for entry in load_json('marketplace-plugins.json') + load_json('extra-plugins.json')['entries']:
            self._add(copy.deepcopy(entry))

    def _add(self, entry):
        manifest = entry['manifest']
        bundle_manifest = dict(manifest, **entry.get('bundle_manifest', {}))
        bundle = build_bundle(bundle_manifest)
        name = '%s-%s.tar.gz' % (manifest['id'], manifest['version'])
        self.bundles[name] = bundle
        entry['download_url'] = '%s/bundles/%s' % (self.base_url, name)
        entry['signature'] = sign(bundle)
        entry['platforms'] = dict((platform, {'download_url': entry['download_url'], 'signature': entry['signature']}) for platform in PLATFORMS)
        entry.pop('labels', None)
        self.entries.append(entry)

    def bundle(self, name):
        return self.bundles.get(name)

    def release(self, plugin_id, version):
        for entry in self.entries:
            if entry['manifest']['id'] == plugin_id and entry['manifest']['version'] == version:
                return entry
        return None

    def _labels(self, entry):
        names = []
        names += {'partner': ['Partner'], 'community': ['Community']}.get(entry.get('author_type'), [])
        names += {'beta': ['Beta'], 'experimental': ['Experimental']}.get(entry.get('release_stage'), [])
        if entry.get('enterprise'):
            names.append('Professional/Enterprise')
        return [dict(self.labels[name]) for name in names]

    def query(self, params):
        """GET /api/v1/plugins: filter, label, substitute, reduce, select, sort, page (in that order)."""
        page = parse_int(params.get('page'), 0)
        per_page = parse_int(params.get('per_page'), 100)
        enterprise_plugins = parse_bool(params.get('enterprise_plugins'))
        cloud = parse_bool(params.get('cloud'))
        all_versions = parse_bool(params.get('return_all_versions'))
        server_version = params.get('server_version') or ''
        try:
            server = semver.parse(server_version) if server_version else None
        except ValueError:
            raise BadQuery(500)
        text = (params.get('filter') or '').strip().lower()
        plugin_id = params.get('plugin_id') or ''
        platform = params.get('platform') or ''

        result = []
        for entry in self.entries:
            if entry.get('listed') is False:
                continue
            manifest = entry['manifest']
            minimum = manifest.get('min_server_version')
            if server is not None and minimum and semver.parse(minimum) > server:
                continue
            if entry.get('enterprise') and not enterprise_plugins and (server is None or server >= ENTERPRISE_CUTOFF):
                continue
            hosting = entry.get('hosting') or ''
            if (cloud and hosting == 'on-prem') or (not cloud and hosting == 'cloud'):
                continue
            shown = dict((k, copy.deepcopy(v)) for k, v in entry.items() if k not in ('listed', 'bundle_manifest'))
            labels = self._labels(entry)
            if labels:
                shown['labels'] = labels
            bundle = (entry.get('platforms') or {}).get(platform) or {}
            if bundle.get('download_url') and bundle.get('signature'):
                shown['download_url'], shown['signature'] = bundle['download_url'], bundle['signature']
            result.append(shown)
        if not all_versions:
            newest = {}
            for entry in result:  # ties: the later entry wins
                key = entry['manifest']['id']
                if key not in newest or semver.parse(entry['manifest']['version']) >= semver.parse(newest[key]['manifest']['version']):
                    newest[key] = entry
            result = [entry for entry in result if newest[entry['manifest']['id']] is entry]
        if plugin_id:
            result = [entry for entry in result if entry['manifest']['id'] == plugin_id]
        if text:
            result = [entry for entry in result if matches(entry['manifest'], text)]
        result = sort_entries(result)
        if per_page == -1:
            return result
        if per_page <= 0:
            return []
        return result[page * per_page : (page + 1) * per_page]


def matches(manifest, text):
    """The Marketplace's and Mattermost's filter: exact id, or a substring of the name or description."""
    return manifest.get('id', '').lower() == text or text in (manifest.get('name') or '').lower() or text in (manifest.get('description') or '').lower()


def sort_entries(entries):
    """Same id: version descending; different ids: lower-cased name ascending."""
    by_id = {}
    for entry in entries:
        by_id.setdefault(entry['manifest']['id'], []).append(entry)
    ordered = []
    for plugin_id in sorted(by_id, key=lambda i: ((by_id[i][0]['manifest'].get('name') or '').lower(), i)):
        ordered += sorted(by_id[plugin_id], key=lambda e: semver.parse(e['manifest']['version']), reverse=True)
    return ordered


def for_mattermost(entry):
    """A Marketplace entry as Mattermost's model keeps it (fields it does not know are dropped)."""
    return dict((k, v) for k, v in entry.items() if k not in MARKETPLACE_ONLY_FIELDS)
