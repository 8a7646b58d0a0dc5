# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret in anything a run shows: stdout at -vvv with --diff, registered results, or the server's log."""

import pytest

from support.harness import PASSPHRASE, signature_task, signing_key_task
from support.playbooks import plugin_task, run_tasks


NOTES = 'com.example.notes'
SETTING_SECRET = 'notes-APIKey-3b9d1e'
FAILED_SETTING_SECRET = 'notes-APIKey-never-stored-77c2'
WRONG_TOKEN = 'wrong-token-5e0a4c71f2'
WRONG_PASSPHRASE = 'not-the-passphrase-91d3'


def config_task(name, secret, **extra):
    return {
        'name': name,
        'mmops.mattermost.plugin_config': dict(id=NOTES, settings={'APIKey': secret, 'NotebookName': 'Ops'}, **extra),
        'register': name.replace(' ', '_'),
        'ignore_errors': True,
    }


def registered(*names):
    return [{'name': 'show %s' % name, 'ansible.builtin.debug': {'var': name.replace(' ', '_')}} for name in names]


@pytest.mark.xdist_group('keys')
def test_no_secret_in_the_output_results_diff_or_server_log_of_a_failing_run(sim, keys, tmp_path):
    sim.reset(installed=[{'id': NOTES, 'version': '1.0.0', 'enabled': True}])
    # The first config write fails after the secret went out: its error must not echo what was sent.
    sim.fault(method='PUT', path='^/api/v4/config/patch$', status=500, error_id='app.config.update.app_error', times=1)
    bundle = tmp_path / 'bundle.tar.gz'
    bundle.write_bytes(b'\x1f\x8b not really a bundle')
    sign = dict(path=str(bundle), state='signed', key_id=keys.fingerprint, gnupghome=keys.home)
    sign_unknown = dict(sign)
    sign_unknown['key_id'] = '0' * 40
    export = dict(name_real='Example plugins', name_email='plugins@example.com', key_length=3072, gnupghome=keys.home)
    tasks = (
        [
            config_task('failing write', FAILED_SETTING_SECRET, update_secrets='always'),
            config_task('secret setting', SETTING_SECRET),
            dict(signature_task('sign', passphrase=PASSPHRASE, **sign), register='sign'),
            dict(signature_task('sign with an unknown key', passphrase=PASSPHRASE, **sign_unknown), register='unknown_key'),
            dict(signing_key_task('export', passphrase=PASSPHRASE, private_key_path=str(tmp_path / 'private.asc'), **export), register='export'),
            dict(
                signing_key_task('export with a wrong passphrase', passphrase=WRONG_PASSPHRASE, private_key_path=str(tmp_path / 'other-private.asc'), **export),
                register='wrong_passphrase',
            ),
            dict(plugin_task('plugin with a secret setting', id=NOTES, settings={'APIKey': SETTING_SECRET}), register='plugin'),
        ]
        + registered('failing write', 'secret setting', 'sign', 'unknown key', 'export', 'wrong passphrase', 'plugin')
        + [
            # Last, and not ignored: the run fails.
            plugin_task('wrong token', register_errors=False, id='github', token=WRONG_TOKEN),
        ]
    )
    run = run_tasks(tmp_path, tasks, sim, args=['-vvv', '--diff'], json_output=False)
    assert run.rc == 2 and 'failed=1' in run.output, run.output
    # The secrets were really used: stored, signed with, refused.
    assert sim.state()['config']['PluginSettings']['Plugins'][NOTES]['apikey'] == SETTING_SECRET
    assert (tmp_path / 'bundle.tar.gz.sig').exists() and (tmp_path / 'private.asc').exists()
    for expected in (
        'PUT /api/v4/config/patch failed with HTTP 500',
        '<secret: new value sent>',
        '(wrong passphrase?)',
        'api.context.session_expired.app_error',
    ):
        assert expected in run.output, expected
    with open(sim.log) as handle:
        server_log = handle.read()
    assert '/api/v4/config/patch' in server_log
    for name, secret in (
        ('token', sim.token),
        ('wrong token', WRONG_TOKEN),
        ('secret setting', SETTING_SECRET),
        ('secret setting of the failed write', FAILED_SETTING_SECRET),
        ('passphrase', PASSPHRASE),
        ('wrong passphrase', WRONG_PASSPHRASE),
    ):
        assert secret not in run.output, '%s in the output' % name
        assert secret not in server_log, '%s in the simulator log' % name
