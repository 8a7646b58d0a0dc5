"""HTTP plumbing of the simulator: routing, Mattermost's headers and error bodies, request log, faults, control API."""

import json
import re
import secrets
import selectors
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mmsim import catalog
from mmsim.mattermost import AppError, PlainError, Server

READ_CHUNK = 1 << 20


class Recorder:
    """Every API and Marketplace request with its answer's status, and the faults waiting to be injected."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.faults = []
        # Bumped by clear(): a request still running then (a delayed answer) is not logged into the next test's log.
        self.epoch = 0

    def record(self, service, method, path, query, status, epoch):
        with self.lock:
            if epoch != self.epoch:
                return
            self.requests.append({'service': service, 'method': method, 'path': path, 'query': query, 'status': status, 'time': time.time()})

    def clear(self):
        with self.lock:
            self.requests = []
            self.epoch += 1

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def add_fault(self, rule):
        rule = dict(rule)
        re.compile(rule.get('path', ''))
        rule.setdefault('times', 1)
        with self.lock:
            self.faults.append(rule)

    def take_fault(self, service, method, path):
        """The first fault rule matching this request, counted down; None when there is none."""
        with self.lock:
            for rule in self.faults:
                if rule.get('service', service) != service or rule.get('method', method) != method:
                    continue
                if not re.search(rule.get('path', ''), path):
                    continue
                if rule['times'] > 0:
                    rule['times'] -= 1
                    if rule['times'] == 0:
                        self.faults.remove(rule)
                return rule
        return None


# --- routing tables -------------------------------------------------------------------------------------


class Route:
    """One route: method, path pattern (matched whole), whether a session is needed, and its handler."""

    def __init__(self, method, pattern, handler, session=True):
        self.method = method
        self.pattern = re.compile(pattern)
        self.handler = handler
        self.session = session


def find_route(routes, method, path):
    """(route, match) of the first route for `method` whose pattern matches all of `path`; (None, None) if none does."""
    for route in routes:
        match = route.pattern.fullmatch(path) if route.method == method else None
        if match:
            return route, match
    return None, None


class ApiRequest:
    """What an API handler reads: headers, query, the route's path parameters and (for session routes) the body."""

    def __init__(self, headers, query, match):
        self.headers = headers
        self.query = query
        self.match = match
        self.body, self.too_large = b'', False

    def plugin_id(self):
        return self.match.group('plugin_id')


def upload(server, request):
    return server.upload(request.headers.get('Content-Type'), request.body, request.too_large)


PING = {'status': 'OK', 'AndroidLatestVersion': '', 'AndroidMinVersion': '', 'IosLatestVersion': '', 'IosMinVersion': ''}
# As server/channels/api4/api.go routes BaseRoutes.Plugin: any other id (empty, or with other characters) matches no
# route, and Mattermost answers 404 api.context.404.app_error.
PLUGIN = r'/plugins/(?P<plugin_id>[A-Za-z0-9_\-.]+)'

# The API routes the simulator serves, below /api/v4, as Mattermost registers them: server/channels/api4/system.go
# (InitSystem), config.go (InitConfig) and plugin.go (InitPlugin). session=False: Mattermost's APIHandler, served
# without a token; every other route is APISessionRequired. The fixed /plugins paths come before PLUGIN's id.
API_ROUTES = (
    Route('GET', '/system/ping', lambda server, request: (200, PING), session=False),
    Route('GET', '/plugins/webapp', lambda server, request: server.webapp_plugins(), session=False),
    Route('GET', '/config', lambda server, request: server.get_config()),
    Route('PUT', '/config', lambda server, request: server.put_config(request.body)),
    Route('PUT', '/config/patch', lambda server, request: server.patch_config(request.body)),
    Route('POST', '/config/reload', lambda server, request: server.reload_config()),
    Route('GET', '/config/environment', lambda server, request: server.config_environment()),
    Route('GET', '/plugins', lambda server, request: server.list_plugins()),
    Route('POST', '/plugins', upload),
    Route('POST', '/plugins/install_from_url', lambda server, request: server.install_from_url(request.query)),
    Route('GET', '/plugins/statuses', lambda server, request: server.statuses()),
    Route('GET', '/plugins/marketplace', lambda server, request: server.marketplace_list(request.query)),
    Route('POST', '/plugins/marketplace', lambda server, request: server.marketplace_install(request.body)),
    Route('DELETE', PLUGIN, lambda server, request: server.remove(request.plugin_id())),
    Route('POST', PLUGIN + '/enable', lambda server, request: server.set_enabled(request.plugin_id(), True)),
    Route('POST', PLUGIN + '/disable', lambda server, request: server.set_enabled(request.plugin_id(), False)),
)


def marketplace_plugins(marketplace, match, query):
    try:
        return 200, marketplace.query(query)
    except catalog.BadQuery as exc:
        return exc.status, b''


def marketplace_bundle(marketplace, match, query):
    bundle = marketplace.bundle(match.group('file'))
    if bundle is None:
        return 404, b''
    if match.group('sig'):
        return 200, catalog.signature_bytes(bundle), 'application/pgp-signature'
    return 200, bundle, 'application/gzip'


HEALTH = {'status': 'pass', 'version': '1', 'releaseID': 'mmsim', 'description': 'mmsim Marketplace'}

# The Marketplace service's routes, all GET (mattermost/mattermost-marketplace: internal/api/plugins.go, label.go,
# health_check.go), and the bundle downloads its entries' download_url points at (a detached .sig beside each).
# Handlers answer (status, body[, content type]).
MARKETPLACE_ROUTES = (
    Route('GET', '/api/v1/plugins', marketplace_plugins),
    Route('GET', '/api/v1/labels', lambda marketplace, match, query: (200, list(marketplace.labels.values()))),
    Route('GET', '/api/v1/health', lambda marketplace, match, query: (200, HEALTH, 'application/health+json')),
    Route('GET', r'/bundles/(?P<file>[^/]+\.tar\.gz)(?P<sig>\.sig)?', marketplace_bundle),
)


def control_reset(site, request):
    with site.lock:
        site.server.reset(request)
    for recorder in (site.recorder, site.marketplace_recorder):
        recorder.clear()
        recorder.clear_faults()
    return 200, {'status': 'OK'}


def control_restart(site, request):
    with site.lock:
        return 200, site.server.restart()[1]


def control_save_from_node(site, request):
    with site.lock:
        try:
            return 200, site.server.save_from_node(int(request.get('node', 0)))[1]
        except AppError as exc:
            return exc.status, exc.body()


def control_state(site, request):
    with site.lock:
        return 200, site.state()


def control_requests(site, request):
    logged = []
    for recorder in (site.recorder, site.marketplace_recorder):
        with recorder.lock:
            logged += recorder.requests
    return 200, sorted(logged, key=lambda entry: entry['time'])


def control_clear_requests(site, request):
    for recorder in (site.recorder, site.marketplace_recorder):
        recorder.clear()
    return 200, {'status': 'OK'}


def control_add_fault(site, request):
    (site.marketplace_recorder if request.get('service') == 'marketplace' else site.recorder).add_fault(request)
    return 200, {'status': 'OK'}


def control_clear_faults(site, request):
    for recorder in (site.recorder, site.marketplace_recorder):
        recorder.clear_faults()
    return 200, {'status': 'OK'}


# The simulator's own control API below /__sim/ (tests/support/simulator.py calls it; never recorded).
CONTROL_ROUTES = {
    ('POST', 'reset'): control_reset,
    ('POST', 'restart'): control_restart,
    ('POST', 'save_from_node'): control_save_from_node,
    ('GET', 'state'): control_state,
    ('GET', 'requests'): control_requests,
    ('DELETE', 'requests'): control_clear_requests,
    ('POST', 'faults'): control_add_fault,
    ('DELETE', 'faults'): control_clear_faults,
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    service = None  # 'server' or 'marketplace', set on the subclass
    sim = None
    trickle = 0  # seconds between 100-byte pieces of the body (a trickle fault)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        # Method, path and status only: never a query string (it could hold an access_token).
        sys.stderr.write('%s %s %s\n' % (self.service, self.command, self.path.split('?')[0]))

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def read_body(self, limit=None):
        """The request body; (body, too_large). A body over `limit` is read and dropped, as MaxBytesReader fails it."""
        length = int(self.headers.get('Content-Length') or 0)
        if limit is not None and length > limit:
            remaining = length
            while remaining > 0:
                remaining -= len(self.rfile.read(min(READ_CHUNK, remaining)) or b'x' * remaining)
            return b'', True
        return self.rfile.read(length) if length else b'', False

    def answer(self, status, body=None, content_type='application/json', headers=None):
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None or content_type == 'application/json' else b'')
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if data:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            # A `trickle` fault sends the body 100 bytes at a time, that many seconds apart: each read is quick, the whole slow.
            step = len(data) if not self.trickle else 100
            for start in range(0, len(data), step or 1):
                if start:
                    time.sleep(self.trickle)
                self.wfile.write(data[start : start + step])
                self.wfile.flush()
        self.status = status

    def drop_connection(self):
        """A connection reset: RST instead of an answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.close_connection = True
        self.connection.close()
        self.status = 0

    def dispatch(self):
        parts = urllib.parse.urlsplit(self.path)
        path, query = parts.path, urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.status = None
        if self.service == 'server' and path.startswith('/__sim/'):
            return self.control(path[len('/__sim/') :], query)
        epoch = self.sim.recorder.epoch
        fault = self.sim.recorder.take_fault(self.service, self.command, path)
        self.trickle = float(fault.get('trickle') or 0) if fault else 0
        try:
            if fault and fault.get('delay'):
                time.sleep(float(fault['delay']))
            if fault and fault.get('reset'):
                self.drop_connection()
            elif fault and fault.get('status'):
                self.read_body()
                self.inject(fault)
            elif self.service == 'server':
                self.serve_api(path, query)
            else:
                self.serve_marketplace(path, query)
        finally:
            self.sim.recorder.record(self.service, self.command, path, dict((k, v[0]) for k, v in query.items()), self.status, epoch)

    def inject(self, fault):
        headers = {}
        if fault.get('retry_after') is not None:
            headers['Retry-After'] = str(fault['retry_after'])
        if fault.get('location'):
            headers['Location'] = fault['location']  # a redirect (with a 3xx status)
        if self.service == 'server':
            headers.update(self.sim.server_headers())
            error = AppError(fault['status'], fault.get('error_id', 'mmsim.injected_fault'), fault.get('message', 'Injected fault.'))
            self.answer(fault['status'], error.body(headers['X-Request-ID']), headers=headers)
        else:
            self.answer(fault['status'], b'', headers=headers)

    # --- the Mattermost API ---------------------------------------------------------------------

    def serve_api(self, path, query):
        headers = self.sim.server_headers()
        try:
            status, body = self.route_api(path, query)
        except AppError as exc:
            self.answer(exc.status, exc.body(headers['X-Request-ID']), headers=headers)
        except PlainError as exc:
            self.answer(exc.status, (exc.text + '\n').encode(), content_type='text/plain; charset=utf-8', headers=headers)
        else:
            self.answer(status, body, headers=headers)

    def route_api(self, path, query):
        server = self.sim.server
        if not path.startswith('/api/v4/'):
            raise AppError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.')
        route, match = find_route(API_ROUTES, self.command, path[len('/api/v4') :])
        request = ApiRequest(self.headers, query, match)
        if route is not None and not route.session:
            with self.sim.lock:
                server.settle()
                return route.handler(server, request)
        limit = int(server.config['FileSettings']['MaxFileSize']) + 512
        request.body, request.too_large = self.read_body(limit)
        # Mattermost caps every body (MaxBytesReader); only the upload handler answers an oversized one itself.
        if request.too_large and (route is None or route.handler is not upload):
            raise PlainError(400, 'http: request body too large')
        with self.sim.lock:
            if not server.authenticated(self.headers, query):
                raise AppError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.')
            server.settle()
            if route is None:
                raise AppError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.')
            return route.handler(server, request)

    # --- the Marketplace service ------------------------------------------------------------------

    def serve_marketplace(self, path, query):
        self.read_body()
        if self.command != 'GET':
            return self.answer(405, b'')
        route, match = find_route(MARKETPLACE_ROUTES, 'GET', path)
        if route is None:
            return self.answer(404, b'')
        return self.answer(*route.handler(self.sim.marketplace, match, dict((k, v[0]) for k, v in query.items())))

    # --- control API (not recorded) ------------------------------------------------------------------

    def control(self, name, query):
        body = self.read_body()[0]
        handler = CONTROL_ROUTES.get((self.command, name))
        if handler is None:
            return self.answer(404, {'error': 'no control route %s %s' % (self.command, name)})
        try:
            return self.answer(*handler(self.sim, json.loads(body) if body else {}))
        except (ValueError, KeyError, TypeError, re.error) as exc:
            return self.answer(400, {'error': str(exc)})


class Listener(ThreadingHTTPServer):
    """One port's HTTP server; its connections are accepted by the simulator's Acceptor, each served in a thread."""

    daemon_threads = True
    # A fleet run opens many connections at once; the default backlog of 5 would make clients retry SYNs.
    request_queue_size = 128
    tls_context = None

    def finish_request(self, request, client_address):
        # TLS is negotiated here, in the connection's thread: a client stalling its handshake holds up only itself.
        if self.tls_context is None:
            return super().finish_request(request, client_address)
        try:
            connection = self.tls_context.wrap_socket(request, server_side=True)
        except OSError:
            return None
        try:
            return super().finish_request(connection, client_address)
        finally:
            self.shutdown_request(connection)


def listen(host, port, service, site, tls_context=None):
    """A listener whose handlers serve `service` for `site`."""
    handler = type('%sHandler' % service.title(), (Handler,), {'service': service, 'sim': site})
    httpd = Listener((host, port), handler)
    httpd.tls_context = tls_context
    return httpd


class Acceptor:
    """One thread accepting for every listener, so a fleet of 1,000 servers idles on two threads, not 1,001."""

    def __init__(self, listeners):
        self.selector = selectors.DefaultSelector()
        for httpd in listeners:
            httpd.socket.setblocking(False)
            self.selector.register(httpd.socket, selectors.EVENT_READ, httpd)
        # Written to by stop(): wakes the select at once instead of polling for a stop flag.
        self.wakeup, self.waker = socket.socketpair()
        self.selector.register(self.wakeup, selectors.EVENT_READ, None)
        self.thread = threading.Thread(target=self.run, name='mmsim-acceptor', daemon=True)

    def run(self):
        while True:
            for key in [selected[0] for selected in self.selector.select()]:
                if key.data is None:
                    return
                try:
                    request, address = key.fileobj.accept()
                except OSError:  # the client went away between select and accept
                    continue
                key.data.process_request(request, address)

    def start(self):
        self.thread.start()

    def stop(self):
        self.waker.send(b'x')
        self.thread.join()
        self.selector.close()
        self.wakeup.close()
        self.waker.close()


class MarketplaceSite:
    """The Marketplace service: its catalog and its own request log."""

    def __init__(self, host, port):
        self.recorder = Recorder()
        self.httpd = listen(host, port, 'marketplace', self)
        self.marketplace = catalog.Catalog('http://%s:%d' % (host, self.httpd.server_address[1]))


class ServerSite:
    """One simulated Mattermost deployment on its own port, with its own state, log and faults."""

    def __init__(self, host, port, marketplace_site, tls_context=None):
        self.lock = threading.RLock()
        self.recorder = Recorder()
        self.marketplace = marketplace_site.marketplace
        self.marketplace_recorder = marketplace_site.recorder
        self.httpd = listen(host, port, 'server', self, tls_context)
        self.url = '%s://%s:%d' % ('http' if tls_context is None else 'https', host, self.httpd.server_address[1])
        self.server = Server(self.marketplace)

    def server_headers(self):
        return {'X-Request-ID': secrets.token_hex(13), 'X-Version-Id': self.server.version_header()}

    def state(self):
        server = self.server
        server.settle()
        plugins = {}
        for node in server.nodes:
            for plugin_id, node_copy in server.copies[node].items():
                state, error = server.node_status(node, plugin_id)
                entry = plugins.setdefault(
                    plugin_id, {'id': plugin_id, 'version': node_copy.manifest.get('version'), 'enabled': server.enabled(plugin_id), 'nodes': []}
                )
                entry['nodes'].append({'cluster_id': node, 'state': state, 'version': node_copy.manifest.get('version'), 'error': error})
        return {
            'plugins': plugins,
            'config': server.config,
            'nodes': server.nodes,
            'server_version': server.version,
            'config_store': server.config_store,
            'node_configs': dict([(server.nodes[0], server.config)] + list(server.peer_configs.items())),
        }


class Simulator:
    """One Marketplace and `servers` independent Mattermost deployments (the first on `port`, the others on free ports)."""

    def __init__(self, host, port, marketplace_port, tls_context=None, servers=1):
        self.marketplace_site = MarketplaceSite(host, marketplace_port)
        self.marketplace = self.marketplace_site.marketplace
        self.sites = [ServerSite(host, port if index == 0 else 0, self.marketplace_site, tls_context) for index in range(servers)]

    @property
    def listeners(self):
        return [self.marketplace_site.httpd] + [site.httpd for site in self.sites]

    def serve_forever(self):
        """Start accepting (in the background); connections are served until shutdown()."""
        self.acceptor = Acceptor(self.listeners)
        self.acceptor.start()

    def shutdown(self):
        self.acceptor.stop()
        for httpd in self.listeners:
            httpd.server_close()
