# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Mattermost REST API client of the collection."""

import io
import ipaddress
import os
import re
import socket
import threading
import time
import traceback
import uuid
from typing import Any, Optional, cast

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import quote, urljoin, urlsplit

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import MattermostOpsError

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import ReadTimeoutError
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR: Optional[str] = traceback.format_exc()
    # Only for _BoundedRetry's class statement; nothing runs without requests (check_libraries fails first).
    Retry = object  # type: ignore[misc,assignment]
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

API_PREFIX = '/api/v4'
RETRIES = 3
BACKOFF_FACTOR = 0.5
# A hostile or confused server must not park a whole fleet run on one Retry-After.
MAX_RETRY_AFTER = 30.0
TRANSIENT_STATUSES = (429, 502, 503, 504)
DOWNLOAD_CHUNK = 1 << 20
# Go's http.Client (Mattermost's own downloader) stops after 10 redirects too.
MAX_REDIRECTS = 10
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

CONNECTION_ARGSPEC: dict[str, dict[str, Any]] = dict(
    url=dict(type='str', required=True, fallback=(env_fallback, ['MATTERMOST_URL'])),
    token=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['MATTERMOST_TOKEN'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['MATTERMOST_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['MATTERMOST_CA_PATH'])),
    timeout=dict(type='float', default=30),
)

# The option of the modules that download bundles themselves (doc fragment mmops.mattermost.download).
DOWNLOAD_TIMEOUT = 600
DOWNLOAD_ARGSPEC = dict(
    download_timeout=dict(type='float', default=DOWNLOAD_TIMEOUT),
)

# scheme://userinfo@rest?query#fragment; userinfo only after a scheme, as a URL parser reads it.
_URL = re.compile(
    r'^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?:(?P<userinfo>[^/?#]*)@)?)?'
    r'(?P<rest>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?$',
    re.DOTALL,
)

# The way out of a cluster's read-only config (ClusterSettings.ReadOnlyConfig with the file config store).
HINT_READ_ONLY_CONFIG = (
    'move the config to the database config store (MM_CONFIG=postgres://..., see `mattermost config '
    'migrate`), or set ClusterSettings.ReadOnlyConfig to false in config.json on every node and '
    'restart them'
)

# What to do about the gates Mattermost answers with 501, keyed by its error id (and the read-only config's errors).
GATE_HINTS = {
    'ent.cluster.save_config.error': 'this cluster cannot save its config through the API: ' + HINT_READ_ONLY_CONFIG,
    'app.plugin.cluster.save_config.app_error': 'this cluster cannot save its config through the API: ' + HINT_READ_ONLY_CONFIG,
    'app.plugin.disabled.app_error': (
        'plugins are switched off (PluginSettings.Enable), or, for an install from a URL, custom uploads are off '
        '(PluginSettings.EnableUploads) or signatures are required (PluginSettings.RequirePluginSignature)'
    ),
    'app.plugin.upload_disabled.app_error': (
        'uploads need PluginSettings.EnableUploads true (set it with the mmops.mattermost.plugin_uploads role) and PluginSettings.RequirePluginSignature false'
    ),
    'app.plugin.marketplace_disabled.app_error': (
        'the Marketplace is switched off: set PluginSettings.EnableMarketplace with mmops.mattermost.plugin_settings'
    ),
    'app.plugin.marketplace_client.failed_to_fetch': (
        'the server could not read its Marketplace (PluginSettings.MarketplaceURL): check that URL and that the server can '
        'reach it; a private address needs ServiceSettings.AllowedUntrustedInternalConnections, a private CA the '
        'mmops.mattermost.ca_trust role'
    ),
    'api.context.session_expired.app_error': ('the token was refused: check token (or MATTERMOST_TOKEN) and that the user or bot may use access tokens'),
    'api.context.permissions.app_error': 'the token belongs to an account without the system console permissions this needs',
}


def _url_parts(url):
    # Every part of _URL is optional and the fragment takes whatever is left: any string matches.
    return cast(re.Match, _URL.match(str(url))).groupdict()


def redact_url(url):
    """A URL as the collection shows it anywhere (messages, actions, results): without userinfo and query string.

    Both can hold credentials (https://user:password@host/..., presigned X-Amz-Signature queries); a query is
    replaced by ?REDACTED, so the reader still sees that there was one. The fragment is dropped.
    """
    parts = _url_parts(url)
    return (parts['scheme'] or '') + parts['rest'] + ('?REDACTED' if parts['query'] else '')


def url_secrets(url):
    """The parts of a URL sent to its host that redact_url hides (userinfo, query), for a module's no_log_values."""
    parts = _url_parts(url)
    return set(parts[name] for name in ('userinfo', 'query') if parts[name])


# The options that hold a URL the modules request; messages and results name hosts by these URLs.
URL_OPTIONS = ('url', 'marketplace_url', 'source_url')


def censor_url_secrets(module):
    """Censor what of the module's URL options can hold a credential in all it shows, as no_log censors a secret."""
    for name in URL_OPTIONS:
        if module.params.get(name):
            module.no_log_values.update(url_secrets(module.params[name]))


def sends_token_in_clear(url):
    """Whether the server URL is plain http to a host other than this one (localhost, 127.0.0.0/8, ::1)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ''
    except ValueError:
        return False  # not a URL at all: the first request fails, naming it
    if parts.scheme.lower() != 'http' or host.lower() == 'localhost':
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name: it may resolve anywhere


class MattermostError(MattermostOpsError):
    """A failure talking to Mattermost; `details` go into the module result."""


class MattermostAPIError(MattermostError):
    """Mattermost answered with an error status."""

    def __init__(self, method, path, status, error_id=None, message=None, detailed_error=None):
        request = '%s %s' % (method, path)
        text = '%s failed with HTTP %s' % (request, status)
        if error_id:
            text += ' %s' % error_id
        if message:
            text += ': %s' % message
        if detailed_error:
            text += ' (%s)' % detailed_error
        if error_id in GATE_HINTS:
            text += '. Hint: %s.' % GATE_HINTS[error_id]
        super(MattermostAPIError, self).__init__(text, status=status, error_id=error_id, request=request)
        self.status = status
        self.error_id = error_id

    @classmethod
    def from_response(cls, method, path, response):
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            # Some multipart failures are plain text (http.Error), not AppError JSON.
            return cls(method, path, response.status_code, message=response.text.strip()[:500] or response.reason)
        return cls(method, path, response.status_code, error_id=body.get('id'), message=body.get('message'), detailed_error=body.get('detailed_error'))


class _BoundedRetry(Retry):
    """urllib3 retries, minus read timeouts (a slow server is not transient) and with a cap on Retry-After."""

    def parse_retry_after(self, retry_after):
        return min(super(_BoundedRetry, self).parse_retry_after(retry_after), MAX_RETRY_AFTER)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, ReadTimeoutError):
            raise error
        return super(_BoundedRetry, self).increment(method, url, response, error, _pool, _stacktrace)


class MultipartFileBody:
    """A multipart/form-data body that streams one file from disk.

    requests' `files=` reads the whole file into memory; this object is handed to requests as a
    file-like body with a known length, so memory stays flat whatever the bundle size, and urllib3
    can rewind it (seek) when it retries.
    """

    def __init__(self, field, path, fields=None):
        boundary = uuid.uuid4().hex
        head = b''
        for name, value in (fields or {}).items():
            head += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, name, value)).encode('utf-8')
        head += (
            '--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
            'Content-Type: application/gzip\r\n\r\n' % (boundary, field, os.path.basename(path))
        ).encode('utf-8')
        tail = ('\r\n--%s--\r\n' % boundary).encode('utf-8')
        self.content_type = 'multipart/form-data; boundary=%s' % boundary
        self._parts = [io.BytesIO(head), open(path, 'rb'), io.BytesIO(tail)]
        self._sizes = [len(head), os.path.getsize(path), len(tail)]
        self._position = 0

    def __len__(self):
        return sum(self._sizes)

    def tell(self):
        return self._position

    def seek(self, offset, whence=0):
        if whence != 0:
            raise io.UnsupportedOperation('only absolute seeks are supported')
        self._position = offset
        for part, size in zip(self._parts, self._sizes, strict=True):
            part.seek(min(max(offset, 0), size))
            offset -= size
        return self._position

    def read(self, size=-1):
        chunks = []
        for part in self._parts:
            if size == 0:
                break
            chunk = part.read(size)
            chunks.append(chunk)
            if size > 0:
                size -= len(chunk)
        data = b''.join(chunks)
        self._position += len(data)
        return data

    def close(self):
        for part in self._parts:
            part.close()


def server_version_from_header(value):
    """The server version from X-Version-Id (`<version>.<build>.<hash>.<licensed>`): its first three fields."""
    fields = (value or '').split('.')
    if len(fields) < 3 or not all(field.isdigit() for field in fields[:3]):
        return None
    return '.'.join(fields[:3])


# One session per server and token in a process: the loop items of an in-process task (one worker) keep
# their connections open instead of a new TCP and TLS handshake each.
_SESSIONS: dict[tuple, Any] = {}


def _shared_session(key):
    """The requests session for `key` in this process: transient errors retried, Retry-After bounded."""
    if key not in _SESSIONS:
        retry = _BoundedRetry(
            total=RETRIES,
            connect=RETRIES,
            read=RETRIES,
            status=RETRIES,
            other=0,
            backoff_factor=BACKOFF_FACTOR,
            status_forcelist=TRANSIENT_STATUSES,
            allowed_methods=None,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        session = requests.Session()
        session.headers['User-Agent'] = 'mmops.mattermost'
        adapter = HTTPAdapter(max_retries=retry)
        session.mount('http://', adapter)
        session.mount('https://', adapter)
        _SESSIONS[key] = session
    return _SESSIONS[key]


class MattermostClient:
    """Token-authenticated access to one Mattermost server, plus plain HTTP for Marketplace and bundle hosts."""

    def __init__(self, url, token, validate_certs=True, ca_path=None, timeout=30):
        self.base_url = url.rstrip('/')
        self.timeout = timeout
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a
        # session-level setting, which would silently replace an explicit ca_path.
        self.verify = (ca_path or True) if validate_certs else False
        self.server_version = None
        self.request_count = 0
        self._api = _shared_session(('api', self.base_url, token))
        if token:  # None for a client that only reads Marketplaces and download hosts
            self._api.headers['Authorization'] = 'Bearer %s' % token
        # Bundle and Marketplace hosts are third parties: they never see the token.
        self._plain = _shared_session(('plain',))

    @classmethod
    def from_module(cls, module, url=None):
        """The client of the module's connection options; with `url`, of another host (a Marketplace), without a token."""
        params = module.params
        token = params['token'] if url is None else None
        url = url or params['url']
        censor_url_secrets(module)
        if not params['validate_certs']:
            module.warn('validate_certs is false: the TLS certificate of %s is not checked' % redact_url(url))
        if token and sends_token_in_clear(url):
            module.warn(
                'url %s is plain http to a host that is not this one: the token and every setting cross the network unencrypted; use https' % redact_url(url)
            )
        return cls(url, token, params['validate_certs'], params['ca_path'], params['timeout'])

    def _send(self, session, method, url, shown, timeout=None, **kwargs):
        """One request with transport errors turned into MattermostError; `shown` names it in messages."""
        self.request_count += 1
        timeout = self.timeout if timeout is None else timeout
        try:
            return session.request(method, url, timeout=timeout, verify=self.verify, **kwargs)
        except requests.exceptions.RequestException as exc:
            raise MattermostError(
                '%s: %s' % (shown, _transport_failure(exc) % dict(url=redact_url(url), timeout=timeout, retries=RETRIES, reason=_reason(exc))),
                request=shown,
            )

    def request(self, method, path, params=None, json_body=None, body=None, headers=None):
        """Call /api/v4<path>; return the decoded JSON body, raise MattermostAPIError on an error status."""
        shown = '%s %s%s' % (method, API_PREFIX, path)
        response = self._send(self._api, method, self.base_url + API_PREFIX + path, shown, params=params, json=json_body, data=body, headers=headers)
        self.server_version = server_version_from_header(response.headers.get('X-Version-Id')) or self.server_version
        if response.status_code >= 400:
            raise MattermostAPIError.from_response(method, API_PREFIX + path, response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise MattermostError('%s: the answer is not JSON; is %s a Mattermost server?' % (shown, self.base_url), request=shown)

    def get_json(self, url, params=None):
        """GET a JSON document from a third-party host (a Marketplace), without the token."""
        shown = 'GET %s' % redact_url(url)
        response = self._send(self._plain, 'GET', url, shown, params=params)
        if response.status_code >= 400:
            raise MattermostError('%s failed with HTTP %s' % (shown, response.status_code), status=response.status_code, request=shown)
        try:
            return response.json()
        except ValueError:
            raise MattermostError('%s: the answer is not JSON' % shown, request=shown)

    def download(self, url, destination, check_url=None, seconds=DOWNLOAD_TIMEOUT, max_size=None):
        """Stream a bundle from a third-party host to a local file, without the token; return the final URL.

        Redirects are followed here, not by requests, so that `check_url` (which raises to refuse) judges every
        hop, not only the first. `seconds` bounds the whole download, `max_size` (bytes, when known) its size.
        """
        deadline = time.time() + seconds
        for dummy in range(MAX_REDIRECTS + 1):
            if check_url:
                check_url(url)
            shown = 'GET %s' % redact_url(url)
            response = self._send(
                self._plain, 'GET', url, shown, stream=True, allow_redirects=False, timeout=min(self.timeout, max(deadline - time.time(), 0.001))
            )
            with response:
                if response.status_code in REDIRECT_STATUSES and response.headers.get('Location'):
                    url = urljoin(url, response.headers['Location'])
                    continue
                if response.status_code >= 400:
                    raise MattermostError('%s failed with HTTP %s' % (shown, response.status_code), status=response.status_code, request=shown)
                self._save(response, destination, shown, deadline, seconds, max_size)
                return url
        raise MattermostError('%s: more than %d redirects' % (shown, MAX_REDIRECTS), request=shown)

    def _save(self, response, destination, shown, deadline, seconds, max_size):
        """The body of `response` into `destination`, refused past `max_size` bytes or after `deadline` (time.time())."""
        too_big = '%s: the bundle is larger than %s bytes, the most the server accepts (FileSettings.MaxFileSize)' % (shown, max_size)
        if max_size and int(response.headers.get('Content-Length') or 0) > max_size:
            raise MattermostError(too_big, request=shown)
        # A host trickling bytes keeps every read within the per-read timeout: at the deadline, the socket (which
        # urllib3 keeps on a streamed response) is shut down, which ends a read waiting on it at once.
        sock = getattr(getattr(response.raw, '_connection', None), 'sock', None)
        watchdog = threading.Timer(max(deadline - time.time(), 0), _shutdown, [sock])
        watchdog.daemon = True
        watchdog.start()
        size = 0
        try:
            with open(destination, 'wb') as handle:
                for chunk in response.iter_content(DOWNLOAD_CHUNK):
                    size += len(chunk)
                    if max_size and size > max_size:
                        raise MattermostError(too_big, request=shown)
                    handle.write(chunk)
                    if time.time() >= deadline:
                        break
        except requests.exceptions.RequestException as exc:
            if time.time() < deadline:
                raise MattermostError('%s: the download broke off (%s)' % (shown, _reason(exc)), request=shown)
        finally:
            watchdog.cancel()
        if time.time() >= deadline:
            raise MattermostError(
                '%s: the download did not finish within %s seconds (download_timeout; %d bytes received)' % (shown, seconds, size), request=shown
            )

    # The routes the collection uses, one method each.

    def get_config(self):
        return self.request('GET', '/config')

    def patch_config(self, patch):
        return self.request('PUT', '/config/patch', json_body=patch)

    def get_config_environment(self):
        # `true` at every setting an MM_* environment variable overrides (the API cannot change those).
        return self.request('GET', '/config/environment')

    def get_plugins(self):
        # Manifests (with settings_schema) of the answering node: {"active": [...], "inactive": [...]}.
        return self.request('GET', '/plugins')

    def reload_config(self):
        return self.request('POST', '/config/reload')

    def get_plugin_statuses(self):
        return self.request('GET', '/plugins/statuses') or []

    def get_marketplace(self, plugin_filter=None, local_only=False, remote_only=False):
        params: dict[str, Any] = {'per_page': 100}
        if plugin_filter:
            params['filter'] = plugin_filter
        if local_only:
            params['local_only'] = 'true'
        if remote_only:
            params['remote_only'] = 'true'
        # Mattermost marshals an empty result as `null`.
        return self.request('GET', '/plugins/marketplace', params=params) or []

    def install_from_marketplace(self, plugin_id):
        # The server ignores a version here and installs the newest compatible one (MM-41981).
        return self.request('POST', '/plugins/marketplace', json_body={'id': plugin_id})

    def install_from_url(self, download_url, force):
        return self.request('POST', '/plugins/install_from_url', params={'plugin_download_url': download_url, 'force': 'true' if force else 'false'})

    def upload_plugin(self, path, force):
        body = MultipartFileBody('plugin', path, {'force': 'true' if force else 'false'})
        try:
            return self.request('POST', '/plugins', body=body, headers={'Content-Type': body.content_type})
        finally:
            body.close()

    def enable_plugin(self, plugin_id):
        return self.request('POST', '/plugins/%s/enable' % _segment(plugin_id))

    def disable_plugin(self, plugin_id):
        return self.request('POST', '/plugins/%s/disable' % _segment(plugin_id))

    def remove_plugin(self, plugin_id):
        return self.request('DELETE', '/plugins/%s' % _segment(plugin_id))


def _segment(value):
    """`value` as one URL path segment: a '/', '?' or '#' in it cannot reach another route or the query."""
    return quote(value, safe='')


def _shutdown(sock):
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (OSError, socket.error):
            pass  # already closed: nothing left to stop


# What a transport error means and what to do, by its type; the first matching entry wins (SSLError is a ConnectionError).
_TRANSPORT_FAILURES = (
    (
        ('SSLError',),
        'the TLS certificate of %(url)s could not be verified (%(reason)s). If it is signed by a private CA, set ca_path '
        '(or MATTERMOST_CA_PATH) to that CA in PEM form; the mmops.mattermost.ca_trust role adds it to the '
        'server host trust store',
    ),
    (('Timeout',), 'no answer from %(url)s within %(timeout)s seconds (%(reason)s); raise timeout if the server is just slow'),
    (
        # Nothing was sent, and no retry would help: the URL itself is wrong.
        ('MissingSchema', 'InvalidSchema', 'InvalidURL'),
        '%(url)s is not a valid http(s) URL (%(reason)s); check url (or MATTERMOST_URL): it needs a scheme and a host, such as https://chat.example.com',
    ),
    (('RequestException',), 'cannot reach %(url)s after %(retries)d retries (%(reason)s); check url and that the server is up'),
)


def _transport_failure(exc):
    """The message template for a requests exception; the last entry of _TRANSPORT_FAILURES matches every one."""
    return next(template for names, template in _TRANSPORT_FAILURES if isinstance(exc, tuple(getattr(requests.exceptions, name) for name in names)))


def _reason(exc):
    """The innermost cause of a requests exception, as one short line."""
    reason = exc
    while getattr(reason, 'reason', None) is not None and reason.reason is not reason:
        reason = reason.reason
    if reason is exc and exc.args:
        reason = exc.args[0]
        reason = getattr(reason, 'reason', reason)
    return str(reason).splitlines()[0][:300] if str(reason) else type(reason).__name__
