# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host roles run as root: what the service user, a system admin or the web server user can plant in the files
and directories they own must not make root change anything outside the tree it manages, nor print a secret."""

import base64
import json
import os
import shutil

import pytest

from support.harness import mirror_role, NOTES, nssm_vars, systemd_vars, uploads_vars
from support.playbooks import REPO, run_tasks


pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='what root would chown needs root to see')

UPLOADS_FILES = os.path.join(REPO, 'extensions', 'molecule', 'plugin_uploads', 'files')
# The service user the roles hand directories to; the victims stay root's.
SERVICE_USER = ('nobody', 'nogroup')
ENV_PASSWORD = 'EnvDsnPassw0rd'
JSON_PASSWORD = 'JsonDsnPassw0rd'


def role(name, **variables):
    return {'name': 'role', 'ansible.builtin.include_role': {'name': 'mmops.mattermost.' + name}, 'vars': variables}


def snapshot(path):
    """Owner, group and mode of `path` and of everything under it (links not followed)."""
    found = {}
    for directory, names, files in os.walk(str(path)):
        for name in [''] + names + files:
            status = os.lstat(os.path.join(directory, name))
            found[os.path.relpath(os.path.join(directory, name), str(path))] = (status.st_uid, status.st_gid, status.st_mode)
    return found


@pytest.fixture
def victim(tmp_path):
    """A directory outside every managed tree, root's, with a file in it: what an attacker wants the service user to own."""
    path = tmp_path / 'victim'
    path.mkdir()
    (path / 'secret').write_text('root only\n')
    os.chmod(str(path), 0o700)
    return path


@pytest.fixture
def install_dir(tmp_path):
    path = tmp_path / 'opt' / 'mattermost'
    (path / 'config').mkdir(parents=True)
    shutil.copyfile(os.path.join(UPLOADS_FILES, 'config.json'), str(path / 'config' / 'config.json'))
    return path


def set_plugin_paths(install_dir, **paths):
    config = install_dir / 'config' / 'config.json'
    data = json.loads(config.read_text())
    data['PluginSettings'].update(paths)
    config.write_text(json.dumps(data, indent=4))


def plugin_dirs(install_dir, **overrides):
    variables = dict(
        mattermost_install_dir=str(install_dir),
        mattermost_config_path=str(install_dir / 'config' / 'config.json'),
        mattermost_user=SERVICE_USER[0],
        mattermost_group=SERVICE_USER[1],
    )
    variables.update(overrides)
    return role('plugin_dirs', **variables)


# --- point 2: plugin_dirs --------------------------------------------------------------------------------------------


def plant_directory_outside(install_dir, victim):
    set_plugin_paths(install_dir, Directory=str(victim))


def plant_dotdot_client_directory(install_dir, victim):
    # ../../victim/plugins from <tmp>/opt/mattermost: the old role chowned its parent, the victim itself.
    set_plugin_paths(install_dir, ClientDirectory='../../victim/plugins')


def plant_symlinked_plugin_directory(install_dir, victim):
    os.symlink(str(victim), str(install_dir / 'plugins'))


def plant_symlinked_parent(install_dir, victim):
    os.symlink(str(victim), str(install_dir / 'client'))


@pytest.mark.parametrize(
    'plant,message',
    [
        (plant_directory_outside, 'not below mattermost_install_dir'),
        (plant_dotdot_client_directory, 'not below mattermost_install_dir'),
        (plant_symlinked_plugin_directory, 'plugins is a symbolic link'),
        (plant_symlinked_parent, 'client is a symbolic link'),
    ],
)
def test_plugin_dirs_never_hands_a_directory_outside_the_install_dir_to_the_service_user(tmp_path, install_dir, victim, plant, message):
    plant(install_dir, victim)
    before = snapshot(victim)
    run = run_tasks(tmp_path, [plugin_dirs(install_dir)], json_output=False)
    assert snapshot(victim) == before, run.output
    assert run.rc != 0 and message in run.output and 'Nothing was changed' in run.output, run.output
    assert not (install_dir / 'plugins').is_dir() or (install_dir / 'plugins').is_symlink()


def test_plugin_dirs_takes_a_directory_outside_the_install_dir_only_when_allowed(tmp_path, install_dir):
    allowed = tmp_path / 'srv' / 'mattermost-plugins'
    allowed.mkdir(parents=True)
    set_plugin_paths(install_dir, Directory=str(allowed / 'server'))
    run = run_tasks(tmp_path, [plugin_dirs(install_dir, mattermost_plugin_dirs_allowed=[str(allowed)])], json_output=False)
    assert run.rc == 0, run.output
    status = os.stat(str(allowed / 'server'))
    assert (status.st_uid, status.st_gid) == (65534, 65534)
    # The allowed directory itself, a parent, stays root's.
    assert os.stat(str(allowed)).st_uid == 0
    again = run_tasks(tmp_path, [plugin_dirs(install_dir, mattermost_plugin_dirs_allowed=[str(allowed)])], json_output=False)
    assert again.rc == 0 and 'changed=0' in again.output, again.output


def test_plugin_dirs_never_chowns_an_existing_parent(tmp_path, install_dir):
    (install_dir / 'client').mkdir()
    run = run_tasks(tmp_path, [plugin_dirs(install_dir)], json_output=False)
    assert run.rc == 0, run.output
    assert os.stat(str(install_dir / 'client')).st_uid == 0
    assert os.stat(str(install_dir / 'client' / 'plugins')).st_uid == 65534


# --- point 3: marketplace_mirror ------------------------------------------------------------------------------------


def test_marketplace_mirror_chown_does_not_follow_a_link_planted_in_the_tree(sim, tmp_path, victim):
    mirror = tmp_path / 'mirror'
    (mirror / 'bundles').mkdir(parents=True)
    os.symlink(str(victim), str(mirror / 'bundles' / 'planted'))
    before = snapshot(victim)
    task = mirror_role(sim, mirror, 'http://127.0.0.1:1', [{'id': NOTES, 'version': '1.0.0'}])
    task['vars'].update(mattermost_mirror_owner=SERVICE_USER[0], mattermost_mirror_group=SERVICE_USER[1])
    run = run_tasks(tmp_path, [task], sim, json_output=False)
    assert snapshot(victim) == before, run.output
    assert run.rc != 0 and 'bundles/planted' in run.output and 'symbolic link' in run.output, run.output
    assert not (mirror / 'api').exists(), 'nothing is published while a link is in the tree'


# --- point 4: service_workdir ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    'field,value',
    [
        ('mattermost_install_dir', '{install_dir}\nExecStartPre=/bin/touch {tmp}/pwned'),
        ('mattermost_install_dir', '{install_dir}/../../../etc'),
        ('mattermost_service_name', 'mattermost\nExecStartPre=/bin/true'),
        ('mattermost_service_name', '../../escaped/mattermost'),
    ],
)
def test_service_workdir_systemd_values_cannot_add_directives_or_escape(tmp_path, units, field, value):
    directory, install_dir = units
    value = value.format(install_dir=install_dir, tmp=tmp_path)
    run = run_tasks(tmp_path, [role('service_workdir', **systemd_vars(tmp_path, units, **{field: value}))], json_output=False)
    assert run.rc != 0 and field in run.output, run.output
    assert os.listdir(str(directory)) == ['mattermost.service'] and not (tmp_path / 'escaped').exists()
    assert 'Nothing was changed' in run.output


@pytest.mark.parametrize(
    'field,value',
    [
        ('mattermost_install_dir', 'C:\\mm\u201d; Remove-Item C:\\ -Recurse; \u201c'),
        ('mattermost_install_dir', 'C:\\mm\u2019; whoami; \u2018'),
        ('mattermost_install_dir', 'C:\\mm\nwhoami'),
        ('mattermost_install_dir', 'mattermost'),
        ('mattermost_service_name', 'mattermost\nwhoami'),
        ('mattermost_service_name', 'matter\u201cmost'),
    ],
)
def test_service_workdir_nssm_values_cannot_add_commands(tmp_path, nssm, field, value):  # noqa: F811 (fixture)
    service = value if field == 'mattermost_service_name' else 'mattermost'
    # The stand-in knows a service of that name: only the role's check can stop the set.
    (nssm / ('nssm-%s.service' % service)).write_text('')
    (nssm / ('nssm-%s.AppDirectory' % service)).write_text('C:\\Windows\\system32')
    run = run_tasks(tmp_path, [role('service_workdir', **nssm_vars(nssm, **{field: value}))], json_output=False)
    assert run.rc != 0 and field in run.output and 'Nothing was changed' in run.output, run.output
    assert (nssm / ('nssm-%s.AppDirectory' % service)).read_text() == 'C:\\Windows\\system32'
    assert not (nssm / ('nssm-%s.restarts' % service)).exists()


# --- point 6: no secret at -vvv ---------------------------------------------------------------------------------------


@pytest.fixture
def secret_host(tmp_path):
    """config.json and the environment file of a server, each holding a database password."""
    host = tmp_path / 'host'
    host.mkdir()
    config = host / 'config.json'
    shutil.copyfile(os.path.join(UPLOADS_FILES, 'config.json'), str(config))
    config.write_text(config.read_text().replace('mmuser:mostest@', 'mmuser:%s@' % JSON_PASSWORD))
    env_file = host / 'mattermost.env'
    env_file.write_text(
        open(os.path.join(UPLOADS_FILES, 'mattermost.env')).read() + 'MM_SQLSETTINGS_DATASOURCE=postgres://mmuser:%s@db/mattermost\n' % ENV_PASSWORD
    )
    omnibus = host / 'omnibus'
    omnibus.mkdir()
    shutil.copyfile(os.path.join(UPLOADS_FILES, 'mmomni.yml'), str(omnibus / 'mmomni.yml'))
    return host


def assert_no_secret(output, host):
    config = (host / 'config.json').read_bytes()
    assert ENV_PASSWORD not in output and JSON_PASSWORD not in output
    assert base64.b64encode(config).decode()[:40] not in output, 'config.json is in the output (slurped)'
    assert base64.b64encode((host / 'mattermost.env').read_bytes()).decode()[:40] not in output
    assert '"DataSource"' not in output and 'DataSourceReplicas' not in output


def test_plugin_uploads_env_install_prints_no_password_at_vvv(tmp_path, secret_host):
    run = run_tasks(tmp_path, [role('plugin_uploads', **uploads_vars(secret_host, mattermost_plugin_uploads=True))], args=['-vvv', '--diff'], json_output=False)
    assert run.rc == 0 and 'detected install type env' in run.output, run.output
    assert 'MM_PLUGINSETTINGS_ENABLEUPLOADS=true' in (secret_host / 'mattermost.env').read_text()
    assert_no_secret(run.output, secret_host)
    # The change itself is still shown.
    assert 'MM_PLUGINSETTINGS_ENABLEUPLOADS' in run.output and 'true' in run.output


def test_plugin_uploads_omnibus_diff_prints_no_database_password(tmp_path, secret_host):
    omnibus = secret_host / 'omnibus'
    password = [line.split(': ')[1] for line in (omnibus / 'mmomni.yml').read_text().splitlines() if line.startswith('db_password')][0]
    run = run_tasks(tmp_path, [role('plugin_uploads', **uploads_vars(omnibus, mattermost_plugin_uploads=True))], args=['-vvv', '--diff'], json_output=False)
    assert run.rc == 0 and 'detected install type omnibus' in run.output, run.output
    assert 'enable_plugin_uploads: true' in (omnibus / 'mmomni.yml').read_text()
    assert password not in run.output


def test_plugin_dirs_prints_no_config_json_at_vvv(tmp_path, secret_host):
    install = tmp_path / 'mattermost'
    install.mkdir()
    task = role(
        'plugin_dirs',
        mattermost_install_dir=str(install),
        mattermost_config_path=str(secret_host / 'config.json'),
        mattermost_user=SERVICE_USER[0],
        mattermost_group=SERVICE_USER[1],
    )
    run = run_tasks(tmp_path, [task], args=['-vvv', '--diff'], json_output=False)
    assert run.rc == 0 and (install / 'plugins').is_dir(), run.output
    assert_no_secret(run.output, secret_host)
