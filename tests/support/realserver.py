# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real Mattermost server for the tests: an install tree in a temporary directory, run as a plain process.

The tree looks like /opt/mattermost (bin/, config/config.json, plugins/, client/plugins/, data/,
prepackaged_plugins/, logs/), with the build's read-only parts (binary, i18n, templates, fonts) linked from the
build cache (scripts/build-mattermost.py). `harness.json` in the tree says how to start the server, so that a
role's `mattermost_restart_command` can restart it as a service manager would:

    python3 tests/support/realserver.py restart <install dir>
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

ADMIN = dict(username='e2eadmin', email='e2eadmin@example.com', password='E2e-admin-Passw0rd!')
PING = '/api/v4/system/ping'
LINKED = ('bin', 'i18n', 'templates', 'fonts')
OWN_DIRS = ('config', 'plugins', 'client', 'data', 'logs', 'prepackaged_plugins')
START_TIMEOUT = 300


def base_config(root, port, dsn, marketplace_url):
    """What the harness writes to config.json: loopback only, absolute directories, tokens and local mode on."""
    site = 'http://127.0.0.1:%d' % port
    return {
        'ServiceSettings': {
            'SiteURL': site,
            'ListenAddress': '127.0.0.1:%d' % port,
            'EnableUserAccessTokens': True,
            'EnableLocalMode': True,
            'LocalModeSocketLocation': os.path.join(root, 'mattermost_local.socket'),
            'EnableSecurityFixAlert': False,
            'EnableLinkPreviews': False,
            'EnableDeveloper': False,
            'AllowedUntrustedInternalConnections': '127.0.0.1 localhost',
        },
        'SqlSettings': {'DriverName': 'postgres', 'DataSource': dsn},
        'FileSettings': {'Directory': os.path.join(root, 'data') + '/'},
        'LogSettings': {'EnableConsole': True, 'ConsoleLevel': 'INFO', 'ConsoleJson': True, 'EnableFile': False, 'EnableDiagnostics': False},
        'AnnouncementSettings': {'AdminNoticesEnabled': False, 'UserNoticesEnabled': False},
        'EmailSettings': {'SendEmailNotifications': False, 'RequireEmailVerification': False},
        'TeamSettings': {'EnableOpenServer': False},
        'PluginSettings': {
            'Enable': True,
            'EnableUploads': False,
            'AllowInsecureDownloadURL': True,
            'EnableHealthCheck': True,
            'Directory': os.path.join(root, 'plugins'),
            'ClientDirectory': os.path.join(root, 'client', 'plugins'),
            'EnableMarketplace': True,
            'EnableRemoteMarketplace': True,
            'AutomaticPrepackagedPlugins': True,
            'RequirePluginSignature': False,
            'MarketplaceURL': marketplace_url,
            'SignaturePublicKeyFiles': [],
        },
    }


def http(method, url, body=None, token=None, timeout=30, raw=None, content_type='application/json'):
    """(status, headers, document) of one request, without an exception for HTTP errors: the document is the parsed
    JSON, the text of a plain-text answer, or None when empty. `raw` bytes are sent as they are instead of `body`."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, method=method, data=data)
    request.add_header('Content-Type', content_type)
    request.add_header('X-Requested-With', 'XMLHttpRequest')
    if token:
        request.add_header('Authorization', 'Bearer %s' % token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, headers, content = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, headers, content = error.code, error.headers, error.read()
    try:
        document = json.loads(content) if content else None
    except ValueError:
        document = content.decode(errors='replace').strip()
    return status, headers, document


def alive(pid):
    """Whether `pid` runs. A server started by another process (the test session) that a restart command stopped
    stays a zombie until that parent reaps it: that counts as stopped."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            state = handle.read().rsplit(')', 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state == 'Z':
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        return False
    return True


class Install:
    """One install tree; `state` (harness.json) is all a separate process needs to restart the server."""

    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, 'harness.json')) as handle:
            self.state = json.load(handle)

    @classmethod
    def create(cls, root, build_dir, port, config_source, env=None):
        """`config_source`: the path of config.json (file store) or a postgres:// DSN (database store)."""
        os.makedirs(root, exist_ok=True)
        for name in LINKED:
            os.symlink(os.path.join(build_dir, name), os.path.join(root, name))
        for name in OWN_DIRS:
            os.makedirs(os.path.join(root, name), exist_ok=True)
        state = dict(
            binary=os.path.join(root, 'bin', 'mattermost'),
            config=config_source,
            cwd=root,
            env=env or {},
            url='http://127.0.0.1:%d' % port,
            log=os.path.join(root, 'logs', 'console.log'),
            pidfile=os.path.join(root, 'mattermost.pid'),
        )
        with open(os.path.join(root, 'harness.json'), 'w') as handle:
            json.dump(state, handle, indent=2)
        return cls(root)

    def save(self):
        with open(os.path.join(self.root, 'harness.json'), 'w') as handle:
            json.dump(self.state, handle, indent=2)

    @property
    def url(self):
        return self.state['url']

    @property
    def config_path(self):
        return os.path.join(self.root, 'config', 'config.json')

    def pid(self):
        try:
            with open(self.state['pidfile']) as handle:
                pid = int(handle.read().strip())
        except (OSError, ValueError):
            return None
        return pid if alive(pid) else None

    def working_directory(self):
        """harness.json's cwd; with `systemd_unit_dir`, what systemd would take: the last WorkingDirectory= of the unit
        and its drop-ins (in file-name order), else `systemd_default_cwd` (standing in for /, a system service's default,
        where a server would create ./plugins for real)."""
        unit_dir = self.state.get('systemd_unit_dir')
        if not unit_dir:
            return self.state['cwd']
        unit = os.path.join(unit_dir, 'mattermost.service')
        dropins = os.path.join(unit + '.d')
        files = [unit] + sorted(os.path.join(dropins, name) for name in (os.listdir(dropins) if os.path.isdir(dropins) else []) if name.endswith('.conf'))
        found = self.state['systemd_default_cwd']
        for path in files:
            with open(path) as handle:
                for line in handle:
                    if line.strip().startswith('WorkingDirectory='):
                        found = line.strip().split('=', 1)[1]
        return found

    def start(self, wait=True):
        """Start the server detached from the caller (its own session), as a service manager would."""
        with open(self.state['log'], 'ab') as log:
            process = subprocess.Popen(
                [self.state['binary'], 'server', '--config', self.state['config']],
                cwd=self.working_directory(),
                env=dict(os.environ, **self.state['env']),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        with open(self.state['pidfile'], 'w') as handle:
            handle.write('%d\n' % process.pid)
        if wait:
            self.wait(process)
        return process

    def wait(self, process=None, timeout=START_TIMEOUT):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError('Mattermost exited with %s while starting; the end of %s:\n%s' % (process.returncode, self.state['log'], self.log_tail()))
            try:
                status, _headers, _body = http('GET', self.url + PING, timeout=5)
            except OSError:
                status = None
            if status == 200:
                return
            time.sleep(0.5)
        raise RuntimeError('Mattermost did not answer %s within %d s; the end of %s:\n%s' % (PING, timeout, self.state['log'], self.log_tail()))

    def stop(self, timeout=60):
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + timeout
        while alive(pid):
            if time.time() > deadline:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.1)
        os.remove(self.state['pidfile'])

    def restart(self):
        self.stop()
        self.start()

    def log_tail(self, lines=40):
        try:
            with open(self.state['log'], errors='replace') as handle:
                return ''.join(handle.readlines()[-lines:])
        except OSError:
            return ''

    def log_text(self):
        with open(self.state['log'], errors='replace') as handle:
            return handle.read()

    def bootstrap_admin(self):
        """The first user (who becomes system admin) and a personal access token for the tests."""
        status, _headers, user = http('POST', self.url + '/api/v4/users', ADMIN)
        if status != 201:
            raise RuntimeError('creating the first user answered %s: %s' % (status, user))
        request = urllib.request.Request(
            self.url + '/api/v4/users/login', method='POST', data=json.dumps(dict(login_id=ADMIN['username'], password=ADMIN['password'])).encode()
        )
        request.add_header('Content-Type', 'application/json')
        with urllib.request.urlopen(request, timeout=30) as answer:
            session = answer.headers['Token']
        status, _headers, token = http('POST', self.url + '/api/v4/users/%s/tokens' % user['id'], dict(description='mmops e2e'), token=session)
        if status != 200:
            raise RuntimeError('creating the access token answered %s: %s' % (status, token))
        return token['token']


def main(argv):
    if len(argv) != 2 or argv[0] not in ('start', 'stop', 'restart'):
        sys.exit('usage: realserver.py start|stop|restart INSTALL_DIR')
    install = Install(argv[1])
    getattr(install, argv[0])()


# The host roles on a real server, as the e2e tests run them: restarts go through this file's own `restart` command.
def restart_command(mm):
    return [sys.executable, os.path.abspath(__file__), 'restart', mm.install.root]


def role(name, mm, **variables):
    common = dict(
        mattermost_install_dir=mm.install.root,
        mattermost_config_path=mm.install.config_path,
        mattermost_user='root',
        mattermost_group='root',
        mattermost_restart_command=restart_command(mm),
        mattermost_url=mm.url,
    )
    common.update(variables)
    return {'name': name, 'ansible.builtin.include_role': {'name': 'mmops.mattermost.%s' % name}, 'vars': common}


FLUSH = {'name': 'restart now', 'ansible.builtin.meta': 'flush_handlers'}


if __name__ == '__main__':
    main(sys.argv[1:])
