# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import email.parser
import email.policy
import http.server
import threading

import pytest
import requests

from ansible_collections.mmops.mattermost.plugins.module_utils._client import (
    MattermostAPIError,
    MattermostClient,
    MultipartFileBody,
    _BoundedRetry,
    redact_url,
    sends_token_in_clear,
    server_version_from_header,
    url_secrets,
)


@pytest.mark.parametrize(
    'header,expected',
    [
        ('9.11.0.9.11.0.3a5e0bb4c5c6b8e4c8a91d4ab7f2d3e1.false', '9.11.0'),
        ('10.5.1.12345.abc', '10.5.1'),
        ('', None),
        (None, None),
        ('dev.build.hash', None),
    ],
)
def test_server_version_from_x_version_id(header, expected):
    assert server_version_from_header(header) == expected


def test_multipart_body_streams_a_valid_form_and_rewinds(tmp_path):
    bundle = tmp_path / 'demo.tar.gz'
    payload = bytes(range(256)) * 1000
    bundle.write_bytes(payload)
    body = MultipartFileBody('plugin', str(bundle), {'force': 'true'})
    first = b''.join(iter(lambda: body.read(777), b''))
    assert len(first) == len(body) == body.tell()
    # urllib3 rewinds the body to the position it recorded before a retry.
    assert body.seek(0) == 0
    assert body.read() == first
    body.close()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(b'Content-Type: ' + body.content_type.encode() + b'\r\n\r\n' + first)
    parts = dict((part.get_param('name', header='content-disposition'), part) for part in message.iter_parts())
    assert parts['force'].get_content() == 'true'
    assert parts['plugin'].get_payload(decode=True) == payload
    assert parts['plugin'].get_filename() == 'demo.tar.gz'


def _response(status, body, content_type='application/json'):
    response = requests.Response()
    response.status_code = status
    response._content = body.encode()
    response.headers['Content-Type'] = content_type
    return response


def test_api_error_carries_id_status_request_and_a_hint():
    error = MattermostAPIError.from_response(
        'POST',
        '/api/v4/plugins',
        _response(
            501,
            '{"id": "app.plugin.upload_disabled.app_error", "message": "Plugins and/or plugin uploads have been disabled.",'
            ' "detailed_error": "", "status_code": 501}',
        ),
    )
    assert error.details == {'status': 501, 'error_id': 'app.plugin.upload_disabled.app_error', 'request': 'POST /api/v4/plugins'}
    assert str(error).startswith('POST /api/v4/plugins failed with HTTP 501 app.plugin.upload_disabled.app_error: Plugins')
    assert 'mmops.mattermost.plugin_uploads' in str(error)


def test_api_error_from_a_plain_text_body():
    error = MattermostAPIError.from_response('POST', '/api/v4/plugins', _response(400, 'http: request body too large\n', 'text/plain'))
    assert error.error_id is None
    assert str(error) == 'POST /api/v4/plugins failed with HTTP 400: http: request body too large'


def test_retry_after_is_capped():
    assert _BoundedRetry(total=1).parse_retry_after('3600') == 30.0
    assert _BoundedRetry(total=1).parse_retry_after('2') == 2.0


@pytest.mark.parametrize(
    'url,shown,secrets',
    [
        (
            'https://deploy:pa%40ss@dl.example.com:8443/b/x.tar.gz?X-Amz-Signature=abc&X-Amz-Date=1#part',
            'https://dl.example.com:8443/b/x.tar.gz?REDACTED',
            {'deploy:pa%40ss', 'X-Amz-Signature=abc&X-Amz-Date=1'},
        ),
        ('https://dl.example.com/x.tar.gz', 'https://dl.example.com/x.tar.gz', set()),
        ('https://dl.example.com/x.tar.gz?', 'https://dl.example.com/x.tar.gz', set()),
        ('http://[::1', 'http://[::1', set()),
        ('not a url', 'not a url', set()),
    ],
    ids=['userinfo, query and fragment', 'plain', 'empty query', 'unparsable', 'no scheme'],
)
def test_a_url_is_shown_without_userinfo_or_query_and_those_are_its_secrets(url, shown, secrets):
    assert redact_url(url) == shown
    assert url_secrets(url) == secrets


@pytest.mark.parametrize(
    'url,in_clear',
    [
        ('http://chat.example.com', True),
        ('http://10.0.0.5:8065', True),
        ('http://[fd00::5]:8065', True),
        ('https://chat.example.com', False),
        ('http://localhost:8065', False),
        ('HTTP://LOCALHOST', False),
        ('http://127.0.0.5:8065', False),
        ('http://[::1]:8065', False),
        ('http://[::1', False),
    ],
)
def test_only_plain_http_to_another_host_sends_the_token_in_clear(url, in_clear):
    assert sends_token_in_clear(url) is in_clear


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with {} and keeps the raw request paths in the server's `paths`."""

    def answer(self):
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'{}')

    do_POST = do_DELETE = answer

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def test_plugin_routes_send_the_id_as_one_path_segment():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), RecordingHandler)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = MattermostClient('http://127.0.0.1:%d' % server.server_address[1], 'token')
        client.enable_plugin('a/../b?c#d')
        client.disable_plugin('a/b')
        client.remove_plugin('a b')
    finally:
        server.shutdown()
        server.server_close()
    assert server.paths == ['/api/v4/plugins/a%2F..%2Fb%3Fc%23d/enable', '/api/v4/plugins/a%2Fb/disable', '/api/v4/plugins/a%20b']
