# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A recording HTTP proxy in front of a real Mattermost server.

Tests point the collection at the proxy and read back what a run sent (method, path, query, status), the way
they read the simulator's request log, so "check mode and second runs send no write" is asserted against a
real server too.
"""

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WRITE_METHODS = ('POST', 'PUT', 'PATCH', 'DELETE')
# Hop-by-hop headers (RFC 9110 7.6.1) are the proxy's own business on each side.
HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    proxy = None  # set on the subclass

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def _forward(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = dict((name, value) for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP)
        upstream = http.client.HTTPConnection(self.proxy.upstream_host, self.proxy.upstream_port, timeout=300)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
            status = answer.status
            answer_headers = [(name, value) for name, value in answer.getheaders() if name.lower() not in HOP_BY_HOP]
        except OSError as error:
            status, content, answer_headers = 502, ('proxy: %s' % error).encode(), [('Content-Type', 'text/plain')]
        finally:
            upstream.close()
        parts = urlsplit(self.path)
        self.proxy.record(self.command, parts.path, parse_qs(parts.query), status)
        self.send_response(status)
        for name, value in answer_headers:
            if name.lower() != 'content-length':
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward


class RecordingProxy:
    """Forwards 127.0.0.1:<port> to `upstream` (http://host:port) and keeps a log of every request."""

    def __init__(self, upstream):
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port
        self._lock = threading.Lock()
        self._log = []
        handler = type('Handler', (_Handler,), {'proxy': self})
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.httpd.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def record(self, method, path, query, status):
        with self._lock:
            self._log.append(dict(method=method, path=path, query=query, status=status, time=time.time()))

    def requests(self):
        with self._lock:
            return list(self._log)

    def writes(self):
        return [entry for entry in self.requests() if entry['method'] in WRITE_METHODS]

    def clear(self):
        with self._lock:
            del self._log[:]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
