# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service_workdir role: a systemd drop-in under a temporary unit directory, and NSSM through a stand-in."""

import os
import shutil

import pytest

from support.playbooks import run_tasks
from support.harness import nssm_vars, systemd_vars


HAS_SYSTEMD_ANALYZE = shutil.which('systemd-analyze') is not None


def run_role(tmp_path, args=(), **variables):
    task = {'name': 'role', 'ansible.builtin.include_role': {'name': 'mmops.mattermost.service_workdir'}, 'vars': variables}
    return run_tasks(tmp_path, [task], args=args, json_output=False)


def test_drop_in_written_verified_and_kept(tmp_path, units):
    directory, install_dir = units
    run = run_role(tmp_path, args=['--diff'], **systemd_vars(tmp_path, units))
    assert run.rc == 0, run.output
    drop_in = directory / 'mattermost.service.d' / 'working-directory.conf'
    assert 'WorkingDirectory=%s\n' % install_dir in drop_in.read_text()
    assert '[Service]\n' in drop_in.read_text()
    assert '+WorkingDirectory=%s' % install_dir in run.output
    if HAS_SYSTEMD_ANALYZE:
        assert 'TASK [mmops.mattermost.service_workdir : Verify the unit with its drop-ins]' in run.output
        assert 'skipping: [localhost]' not in run.output.split('Verify the unit with its drop-ins')[1].split('TASK')[0]
    assert (tmp_path / 'restarted').exists()

    (tmp_path / 'restarted').unlink()
    written = os.stat(str(drop_in)).st_mtime_ns
    again = run_role(tmp_path, **systemd_vars(tmp_path, units))
    assert again.rc == 0 and 'changed=0' in again.output, again.output
    assert os.stat(str(drop_in)).st_mtime_ns == written
    assert not (tmp_path / 'restarted').exists()


def test_drop_in_check_mode_writes_nothing(tmp_path, units):
    directory, _install_dir = units
    run = run_role(tmp_path, args=['--check'], **systemd_vars(tmp_path, units))
    assert run.rc == 0 and 'changed=' in run.output and 'changed=0' not in run.output, run.output
    assert os.listdir(str(directory)) == ['mattermost.service']
    assert not (tmp_path / 'restarted').exists()


@pytest.mark.skipif(not HAS_SYSTEMD_ANALYZE, reason='systemd-analyze is not installed')
def test_verify_fails_on_a_broken_unit(tmp_path, units):
    directory, _install_dir = units
    unit = directory / 'mattermost.service'
    unit.write_text(unit.read_text().replace('Type=notify', 'Type=notify\nExecStart=\nExecStart=relative/mattermost'))
    run = run_role(tmp_path, **systemd_vars(tmp_path, units))
    assert run.rc != 0 and 'Verify the unit with its drop-ins' in run.output and 'relative/mattermost' in run.output


def test_relative_install_dir_is_refused(tmp_path, units):
    run = run_role(tmp_path, **systemd_vars(tmp_path, units, mattermost_install_dir='opt/mattermost'))
    assert run.rc != 0 and 'must be an absolute path' in run.output
    assert os.listdir(str(units[0])) == ['mattermost.service']


def test_nssm_sets_app_directory_only_when_it_differs(tmp_path, nssm):
    check = run_role(tmp_path, args=['--check'], **nssm_vars(nssm))
    # The debug output shows the message JSON-encoded: backslashes doubled.
    assert check.rc == 0, check.output
    assert "would set AppDirectory of mattermost from 'C:\\\\Windows\\\\system32' to 'C:\\\\mattermost'" in check.output
    assert (nssm / 'nssm-mattermost.AppDirectory').read_text() == 'C:\\Windows\\system32'

    run = run_role(tmp_path, **nssm_vars(nssm))
    assert run.rc == 0, run.output
    assert (nssm / 'nssm-mattermost.AppDirectory').read_text() == 'C:\\mattermost'
    assert (nssm / 'nssm-mattermost.restarts').read_text() == 'restart\n'

    # Same directory spelled differently (case, trailing separator): nothing to do.
    again = run_role(tmp_path, **nssm_vars(nssm, mattermost_install_dir='c:\\MatterMost\\'))
    assert again.rc == 0 and 'changed=0' in again.output, again.output
    assert (nssm / 'nssm-mattermost.restarts').read_text() == 'restart\n'


def test_nssm_unknown_service_fails_clearly(tmp_path, nssm):
    run = run_role(tmp_path, **nssm_vars(nssm, mattermost_service_name='chat'))
    assert run.rc != 0
    assert "get chat AppDirectory' failed (rc 3): Can't open service!" in run.output
    assert 'mattermost_nssm_command' in run.output


def test_nssm_refuses_shell_characters(tmp_path, nssm):
    run = run_role(tmp_path, **nssm_vars(nssm, mattermost_install_dir='C:\\$(whoami)'))
    assert run.rc != 0 and 'may not contain' in run.output
    assert (nssm / 'nssm-mattermost.AppDirectory').read_text() == 'C:\\Windows\\system32'
