# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin_dirs and ca_trust roles, every host path in a temporary directory."""

import grp
import json
import os
import pwd
import shutil
import stat

import pytest
import trustme

from support.playbooks import REPO, run_tasks


HAS_UPDATE_CA_CERTIFICATES = shutil.which('update-ca-certificates') is not None
USER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def run_role(tmp_path, role, args=(), **variables):
    task = {'name': 'role', 'ansible.builtin.include_role': {'name': 'mmops.mattermost.' + role}, 'vars': variables}
    return run_tasks(tmp_path, [task], args=args, json_output=False)


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_plugin_dirs_default_paths(tmp_path):
    install_dir = tmp_path / 'mattermost'
    install_dir.mkdir()
    variables = dict(
        mattermost_install_dir=str(install_dir), mattermost_config_path=str(install_dir / 'no-config.json'), mattermost_user=USER, mattermost_group=GROUP
    )
    check = run_role(tmp_path, 'plugin_dirs', args=['--check'], **variables)
    assert check.rc == 0 and 'changed=0' not in check.output, check.output
    assert os.listdir(str(install_dir)) == []

    run = run_role(tmp_path, 'plugin_dirs', **variables)
    assert run.rc == 0, run.output
    assert mode(install_dir / 'plugins') == 0o750 and mode(install_dir / 'client' / 'plugins') == 0o750
    assert os.stat(str(install_dir / 'client')).st_uid == os.getuid()
    again = run_role(tmp_path, 'plugin_dirs', **variables)
    assert again.rc == 0 and 'changed=0' in again.output, again.output


def test_plugin_dirs_from_config_and_modes_kept_narrow(tmp_path):
    install_dir = tmp_path / 'mattermost'
    (install_dir / 'config').mkdir(parents=True)
    (install_dir / 'webapp').mkdir(mode=0o700)
    os.chmod(str(install_dir / 'webapp'), 0o700)
    config = install_dir / 'config' / 'config.json'
    shutil.copyfile(os.path.join(REPO, 'extensions', 'molecule', 'plugin_uploads', 'files', 'config.json'), str(config))
    data = json.loads(config.read_text())
    data['PluginSettings'].update(Directory='/srv/../' + str(tmp_path / 'server-plugins').lstrip('/'), ClientDirectory='./webapp/plugins')
    config.write_text(json.dumps(data, indent=4))
    # A directory outside the install directory only when it is allowed (tests/reliability/test_hardening_host.py).
    run = run_role(
        tmp_path,
        'plugin_dirs',
        mattermost_install_dir=str(install_dir),
        mattermost_config_path=str(config),
        mattermost_user=USER,
        mattermost_group=GROUP,
        mattermost_plugin_dirs_allowed=[str(tmp_path)],
    )
    assert run.rc == 0, run.output
    assert (tmp_path / 'server-plugins').is_dir() and (install_dir / 'webapp' / 'plugins').is_dir()
    assert mode(install_dir / 'webapp') == 0o700, 'the parent mode must not be widened'
    assert not (install_dir / 'plugins').exists() and not (install_dir / 'client').exists()


def test_plugin_dirs_unknown_user_fails(tmp_path):
    run = run_role(
        tmp_path,
        'plugin_dirs',
        mattermost_install_dir=str(tmp_path / 'mm'),
        mattermost_config_path=str(tmp_path / 'none.json'),
        mattermost_user='no-such-user-mm',
    )
    assert run.rc != 0 and 'no-such-user-mm' in run.output


@pytest.fixture
def trust(tmp_path):
    """Directories for a real update-ca-certificates run that touches nothing outside tmp_path."""
    root = tmp_path / 'trust'
    for name in ('local', 'share', 'etc', 'hooks'):
        (root / name).mkdir(parents=True)
    (root / 'certs.conf').write_text('')
    refresh = [
        'update-ca-certificates',
        '--certsconf',
        str(root / 'certs.conf'),
        '--certsdir',
        str(root / 'share'),
        '--localcertsdir',
        str(root / 'local'),
        '--etccertsdir',
        str(root / 'etc'),
        '--hooksdir',
        str(root / 'hooks'),
    ]
    return dict(
        mattermost_ca_trust_dir=str(root / 'local'), mattermost_ca_refresh_command=refresh, mattermost_ca_check_bundle=str(root / 'etc' / 'ca-certificates.crt')
    )


@pytest.mark.skipif(not HAS_UPDATE_CA_CERTIFICATES, reason='update-ca-certificates is not installed')
def test_ca_trust_makes_a_private_server_verify(tls_sim, tmp_path, trust):
    with open(tls_sim.ca_file) as handle:
        pem = handle.read()
    variables = dict(trust, mattermost_ca_certificates=[{'name': 'private-ca', 'content': pem}], mattermost_ca_check_url=tls_sim.url + '/api/v4/system/ping')
    run = run_role(tmp_path, 'ca_trust', args=['--diff'], **variables)
    assert run.rc == 0, run.output
    assert 'Refresh the trust store (ca_trust)' in run.output
    assert pem.strip() in (tmp_path / 'trust' / 'etc' / 'ca-certificates.crt').read_text()
    assert (tmp_path / 'trust' / 'local' / 'private-ca.crt').read_text() == pem.strip() + '\n'

    again = run_role(tmp_path, 'ca_trust', **variables)
    assert again.rc == 0 and 'changed=0' in again.output, again.output


@pytest.mark.skipif(not HAS_UPDATE_CA_CERTIFICATES, reason='update-ca-certificates is not installed')
def test_ca_trust_check_fails_with_another_ca(tls_sim, tmp_path, trust):
    other = trustme.CA().cert_pem.bytes().decode()
    variables = dict(trust, mattermost_ca_certificates=[{'name': 'other-ca', 'content': other}], mattermost_ca_check_url=tls_sim.url + '/api/v4/system/ping')
    run = run_role(tmp_path, 'ca_trust', **variables)
    assert run.rc != 0 and 'still does not verify' in run.output and 'CERTIFICATE_VERIFY_FAILED' in run.output, run.output


def test_ca_trust_refuses_a_private_key(tmp_path, trust):
    key = trustme.CA().issue_cert('example.com').private_key_and_cert_chain_pem.bytes().decode()
    variables = dict(
        trust, mattermost_ca_refresh_command=['touch', str(tmp_path / 'refreshed')], mattermost_ca_certificates=[{'name': 'leaky', 'content': key}]
    )
    run = run_role(tmp_path, 'ca_trust', **variables)
    assert run.rc != 0 and 'no private key' in run.output and 'Nothing was installed' in run.output
    assert os.listdir(trust['mattermost_ca_trust_dir']) == [] and not (tmp_path / 'refreshed').exists()


def test_ca_trust_check_mode_installs_nothing(tmp_path, trust):
    pem = trustme.CA().cert_pem.bytes().decode()
    variables = dict(
        trust, mattermost_ca_refresh_command=['touch', str(tmp_path / 'refreshed')], mattermost_ca_certificates=[{'name': 'private-ca', 'content': pem}]
    )
    run = run_role(tmp_path, 'ca_trust', args=['--check'], **variables)
    assert run.rc == 0 and 'changed=0' not in run.output, run.output
    assert os.listdir(trust['mattermost_ca_trust_dir']) == [] and not (tmp_path / 'refreshed').exists()
