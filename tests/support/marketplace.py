# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small Marketplace service on 127.0.0.1 that serves real, signed bundles to a real Mattermost server.

It answers `GET /api/v1/plugins` as mattermost-marketplace does (the reference notes, marketplace.md 1.1):
`server_version` drops entries whose min_server_version is above it, `return_all_versions=false` keeps the
newest release per id, `plugin_id` keeps one id, `filter` matches id, name or description, then sorting and
paging. Every request is logged, so tests can see what the server itself asked.
"""

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def semver(text):
    core = (text or '0.0.0').lstrip('v').split('-', 1)[0].split('+', 1)[0]
    return tuple(int(part) for part in (core.split('.') + ['0', '0'])[:3])


def truthy(values, default=False):
    return values[0].lower() == 'true' if values else default


class _Handler(BaseHTTPRequestHandler):
    marketplace = None  # set on the subclass

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        self.marketplace.log.append(dict(path=parts.path, query=query))
        if parts.path == '/api/v1/plugins':
            return self._answer(200, json.dumps(self.marketplace.query(query)).encode(), 'application/json')
        if parts.path.startswith('/bundles/'):
            path = self.marketplace.files.get(parts.path[len('/bundles/') :])
            if path:
                with open(path, 'rb') as handle:
                    return self._answer(200, handle.read(), 'application/gzip')
        return self._answer(404, b'', 'text/plain')

    def _answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Marketplace:
    def __init__(self):
        self.entries = []
        self.files = {}
        self.log = []
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), type('Handler', (_Handler,), {'marketplace': self}))
        self.httpd.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def publish(self, bundle, manifest, signature=None):
        """List `bundle` (with the detached signature file `signature`) as a release of manifest['id']."""
        name = os.path.basename(bundle)
        self.files[name] = bundle
        entry = dict(
            homepage_url='https://example.com/%s' % manifest['id'],
            icon_data='',
            download_url='%s/bundles/%s' % (self.url, name),
            release_notes_url='',
            hosting='',
            author_type='community',
            release_stage='production',
            enterprise=False,
            signature='',
            repo_name=manifest['id'],
            manifest=manifest,
            updated_at='2026-01-01T00:00:00Z',
        )
        if signature:
            with open(signature, 'rb') as handle:
                entry['signature'] = base64.b64encode(handle.read()).decode()
        self.entries.append(entry)
        return entry

    def clear(self):
        del self.entries[:]
        self.files.clear()
        del self.log[:]

    def query(self, query):
        server_version = query.get('server_version', [''])[0]
        found = [entry for entry in self.entries if not server_version or semver(entry['manifest'].get('min_server_version')) <= semver(server_version)]
        if not truthy(query.get('return_all_versions')):
            newest = {}
            for entry in found:
                known = newest.get(entry['manifest']['id'])
                if known is None or semver(entry['manifest']['version']) >= semver(known['manifest']['version']):
                    newest[entry['manifest']['id']] = entry
            found = list(newest.values())
        plugin_id = query.get('plugin_id', [''])[0]
        if plugin_id:
            found = [entry for entry in found if entry['manifest']['id'] == plugin_id]
        text = query.get('filter', [''])[0].strip().lower()
        if text:
            found = [
                entry
                for entry in found
                if entry['manifest']['id'].lower() == text
                or text in entry['manifest'].get('name', '').lower()
                or text in entry['manifest'].get('description', '').lower()
            ]
        found.sort(key=lambda entry: (entry['manifest'].get('name', '').lower(), [-part for part in semver(entry['manifest']['version'])]))
        per_page = int(query.get('per_page', ['100'])[0])
        if per_page < 0:
            return found
        page = int(query.get('page', ['0'])[0])
        return found[page * per_page : (page + 1) * per_page]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
