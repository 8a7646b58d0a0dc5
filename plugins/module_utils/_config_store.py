# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mattermost's config store on the server host: config.json and the files beside it, or the database store.

The file store is config.json plus companion files (trusted keys, certificates) in its directory; the database
store (a postgres:// config DSN, used by omnibus installs) keeps the active config in table Configurations and the
companion files in ConfigurationFiles. Both are changed the way the server itself changes them.
"""

import base64
import json
import os
import secrets
import time

from ansible.module_utils.six.moves.urllib.parse import parse_qs, unquote, urlparse

from ansible_collections.mmops.mattermost.plugins.module_utils import _config_file
from ansible_collections.mmops.mattermost.plugins.module_utils._config_file import DEFAULT_CONFIG_PATH, ConfigFileError
from ansible_collections.mmops.mattermost.plugins.module_utils._deadline import Deadline
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import MattermostOpsError
from ansible_collections.mmops.mattermost.plugins.module_utils._files import replace_file

# ConfigurationFiles.Name is VARCHAR(64).
MAX_FILE_NAME = 64
# Mattermost ids: 16 random bytes in base32 with this alphabet, 26 characters (model.NewId).
_TO_ID_ALPHABET = str.maketrans('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 'ybndrfg8ejkmcpqxot1uwisza345h769')
# libpq connection parameters that may appear in a DSN's query string, as environment variables.
_DSN_QUERY_ENV = {
    'sslmode': 'PGSSLMODE',
    'connect_timeout': 'PGCONNECT_TIMEOUT',
    'sslrootcert': 'PGSSLROOTCERT',
    'sslcert': 'PGSSLCERT',
    'sslkey': 'PGSSLKEY',
    'application_name': 'PGAPPNAME',
}
# Limits, in seconds, so an unreachable, stalled or locked database fails the task instead of hanging it: connecting
# (unless the DSN's connect_timeout or PGCONNECT_TIMEOUT says otherwise), each statement (the server cancels it; a
# statement_timeout in PGOPTIONS wins), and the whole psql run, which also covers a connection stalled mid-way.
PSQL_CONNECT_TIMEOUT = 10
PSQL_STATEMENT_TIMEOUT = 30
PSQL_TIMEOUT = 120


class ConfigStoreError(MattermostOpsError):
    """The server's config store cannot be read or changed; the message says why and what to do."""


def config_json(config):
    """The config as Mattermost's database store writes it: JSON indented with four spaces, keys in their order."""
    return json.dumps(config, indent=4, ensure_ascii=False).encode('utf-8')


def valid_file_name(name):
    """A companion file name: a bare name in the config directory (Mattermost joins relative names to it)."""
    name = (name or '').strip()
    if not name or name in ('.', '..') or os.path.basename(name) != name or '\\' in name:
        raise ConfigStoreError('name %r must be a bare file name (no directory), such as example-plugins.asc' % name)
    if len(name) > MAX_FILE_NAME:
        raise ConfigStoreError('name %r is longer than %d characters, the limit of the database config store' % (name, MAX_FILE_NAME))
    return name


class FileConfigStore:
    """config.json (changed in place: every other byte stays) and the companion files in its directory."""

    def __init__(self, module, config_path):
        self.module = module
        self.path = config_path
        self.directory = os.path.dirname(os.path.abspath(config_path))
        self.description = config_path
        if not os.path.isfile(config_path):
            raise ConfigStoreError(
                '%s does not exist: set config_path to the config.json the server reads (its --config '
                'flag or MM_CONFIG), or config_dsn when the config lives in the database' % config_path
            )

    def read_config(self):
        try:
            self.text, config = _config_file.read_config(self.path)
        except ConfigFileError as exc:
            raise ConfigStoreError(str(exc))
        return config

    def file_location(self, name):
        return os.path.join(self.directory, name)

    def read_file(self, name):
        location = self.file_location(name)
        if not os.path.isfile(location):
            return None
        with open(location, 'rb') as handle:
            return handle.read()

    def apply(self, trusted_keys=None, files=None, backup=False):
        """Write `files` ({name: bytes, or None to remove}) and set SignaturePublicKeyFiles to `trusted_keys` (a list).

        New files go in before the config names them, and the config stops naming a file before it goes.
        Returns the config backup's path, if one was made.
        """
        files = files or {}
        backup_file = None
        for name, data in files.items():
            if data is not None:
                # The server writes its companion files 0600; it must be able to read them, so they get its owner.
                replace_file(self.file_location(name), data, mode=0o600, owner_like=self.path, module=self.module)
        if trusted_keys is not None:
            try:
                text = _config_file.with_setting(self.text, 'PluginSettings', 'SignaturePublicKeyFiles', trusted_keys)
            except ConfigFileError as exc:
                raise ConfigStoreError(str(exc))
            backup_file = replace_file(self.path, text.encode('utf-8'), module=self.module, backup=backup)
        for name, data in files.items():
            if data is None and os.path.exists(self.file_location(name)):
                os.remove(self.file_location(name))
        return backup_file


class DatabaseConfigStore:
    """Tables Configurations (the active row is the config) and ConfigurationFiles of a PostgreSQL database, through psql."""

    def __init__(self, module, dsn):
        self.module = module
        self.description = 'the database config store'
        parts = urlparse(dsn)
        if parts.scheme == 'mysql':
            raise ConfigStoreError('config_dsn: MySQL database config stores are not supported; only postgres:// DSNs are')
        if parts.scheme not in ('postgres', 'postgresql') or not parts.path.strip('/'):
            raise ConfigStoreError(
                'config_dsn must be a postgres:// DSN naming a database, as in MM_CONFIG (postgres://user:password@host:5432/mattermost?sslmode=disable)'
            )
        self.psql = module.get_bin_path('psql')
        if not self.psql:
            raise ConfigStoreError(
                'the database config store is changed with psql, which is not installed on this host (Debian: apt-get install postgresql-client)'
            )
        # Connection details go to psql through libpq's environment: never on a command line others can read.
        self.env = dict(
            PGHOST=parts.hostname or 'localhost',
            PGDATABASE=unquote(parts.path.strip('/')),
            PGPORT=str(parts.port or 5432),
            PGCONNECT_TIMEOUT=os.environ.get('PGCONNECT_TIMEOUT') or str(PSQL_CONNECT_TIMEOUT),
            # Before the user's own server options, not instead of them: a later -c of theirs wins.
            PGOPTIONS=' '.join(filter(None, ['-c statement_timeout=%d' % (PSQL_STATEMENT_TIMEOUT * 1000), os.environ.get('PGOPTIONS')])),
        )
        if parts.username:
            self.env['PGUSER'] = unquote(parts.username)
        if parts.password:
            self.env['PGPASSWORD'] = unquote(parts.password)
        for key, values in parse_qs(parts.query).items():
            if key in _DSN_QUERY_ENV:
                self.env[_DSN_QUERY_ENV[key]] = values[-1]

    def _run(self, sql):
        deadline = Deadline(PSQL_TIMEOUT)
        rc, out, err = self.module.run_command(
            [self.psql, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'], data=sql, environ_update=self.env, before_communicate_callback=deadline.watch
        )
        if deadline.expired:
            raise ConfigStoreError(
                'psql did not finish within %d seconds on database %s at %s and was stopped (the server '
                'rolls back a transaction it did not see committed): check that the database answers '
                'and that no other session holds a lock on its configuration tables' % (PSQL_TIMEOUT, self.env['PGDATABASE'], self.env['PGHOST'])
            )
        if rc != 0:
            detail = (err or out).strip()[-500:]
            raise ConfigStoreError('psql failed on database %s at %s: %s' % (self.env['PGDATABASE'], self.env['PGHOST'], detail))
        return out

    def _fetch_text(self, sql):
        """The one text value `sql` selects, or None when it selects no row (base64 keeps it intact through psql)."""
        out = self._run("SELECT encode(convert_to(%s, 'UTF8'), 'base64') %s;" % (sql[0], sql[1]))
        if not out.strip():
            return None
        return base64.b64decode(''.join(out.split()))

    def read_config(self):
        data = self._fetch_text(('value', 'FROM configurations WHERE active'))
        if data is None:
            raise ConfigStoreError(
                'the database has no active configuration (no row of Configurations with Active true): is config_dsn the DSN the server uses (MM_CONFIG)?'
            )
        try:
            self.config = json.loads(data.decode('utf-8'))
        except ValueError as exc:
            raise ConfigStoreError('the active configuration in the database is not valid JSON: %s' % exc)
        return self.config

    def read_file(self, name):
        return self._fetch_text(('data', 'FROM configurationfiles WHERE name = %s' % _text(name.encode('utf-8'))))

    def apply(self, trusted_keys=None, files=None, backup=False):
        """Write everything in one transaction; the previous configuration rows stay in the table (the backup)."""
        now = int(time.time() * 1000)
        statements = ['BEGIN;']
        for name, data in (files or {}).items():
            if data is None:
                statements.append('DELETE FROM configurationfiles WHERE name = %s;' % _text(name.encode('utf-8')))
            else:
                try:
                    data.decode('utf-8')
                except UnicodeDecodeError:
                    raise ConfigStoreError(
                        '%s is binary; the database config store keeps files as text: give the ASCII-armored key (gpg --armor --export)' % name
                    )
                # Update, else insert: how the server's database store writes a file.
                statements.append(
                    'INSERT INTO configurationfiles (name, data, createat, updateat) VALUES (%s, %s, %d, %d) '
                    'ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data, updateat = EXCLUDED.updateat;'
                    % (_text(name.encode('utf-8')), _text(data), now, now)
                )
        if trusted_keys is not None:
            config = self.config
            config.setdefault('PluginSettings', {})['SignaturePublicKeyFiles'] = trusted_keys
            statements.append('UPDATE configurations SET active = NULL WHERE active;')
            statements.append(
                "INSERT INTO configurations (id, value, createat, active) VALUES ('%s', %s, %d, true);" % (new_id(), _text(config_json(config)), now)
            )
        statements.append('COMMIT;')
        self._run('\n'.join(statements))


def _text(data):
    """A SQL text literal for any bytes: base64 holds no quote, so nothing can escape the literal."""
    return "convert_from(decode('%s', 'base64'), 'UTF8')" % base64.b64encode(data).decode('ascii')


def new_id():
    """A Mattermost id (model.NewId): 16 random bytes in base32 with Mattermost's alphabet, padding dropped."""
    standard = base64.b32encode(secrets.token_bytes(16)).decode('ascii').rstrip('=')
    return standard.translate(_TO_ID_ALPHABET)


def open_store(module, config_path=None, config_dsn=None):
    if config_dsn:
        return DatabaseConfigStore(module, config_dsn)
    return FileConfigStore(module, config_path or DEFAULT_CONFIG_PATH)
