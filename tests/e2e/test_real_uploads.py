# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Version pins and custom bundles (file, url): they need PluginSettings.EnableUploads on the real server."""

import hashlib

from support.playbooks import plugin_task, run_tasks
from support.testplugin import PLUGIN_ID


def sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_version_pins_go_up_and_down(mm, tmp_path):
    mm.publish_all()
    mm.set_file_settings(EnableUploads=True)
    for version in ('1.0.0', '1.1.0', '1.0.0'):
        run = run_tasks(tmp_path, [plugin_task('pin', id=PLUGIN_ID, version=version, enabled=True)], sim=mm)
        result = run.results['pin']
        assert result.get('failed') is not True and result['changed'] is True, result
        assert mm.plugins()[PLUGIN_ID]['version'] == version and mm.plugins()[PLUGIN_ID]['active'] is True
    mm.proxy.clear()
    again = run_tasks(tmp_path, [plugin_task('again', id=PLUGIN_ID, version='1.0.0', enabled=True)], sim=mm)
    assert again.results['again']['changed'] is False and mm.writes() == []


def test_a_pin_with_uploads_off_is_refused_naming_the_setting(mm, tmp_path):
    mm.publish_all()
    run = run_tasks(tmp_path, [plugin_task('pin', id=PLUGIN_ID, version='1.0.0')], sim=mm)
    result = run.results['pin']
    assert result['failed'] is True and 'EnableUploads' in result['msg'], result
    assert mm.writes() == [] and PLUGIN_ID not in mm.plugins()


def test_source_file_with_checksum_and_signature_installs(mm, tmp_path):
    mm.set_file_settings(EnableUploads=True)
    bundle = mm.bundles.path('1.0.0')
    task = plugin_task(
        'file',
        id=PLUGIN_ID,
        source='file',
        src=bundle,
        checksum='sha256:%s' % sha256(bundle),
        signature=mm.bundles.signature('1.0.0'),
        trusted_keys=[mm.signing.public],
        enabled=True,
    )
    run = run_tasks(tmp_path, [task], sim=mm)
    assert run.results['file'].get('failed') is not True and run.results['file']['changed'] is True, run.results['file']
    assert mm.plugins()[PLUGIN_ID]['version'] == '1.0.0' and mm.plugins()[PLUGIN_ID]['active'] is True
    mm.proxy.clear()
    again = run_tasks(tmp_path, [dict(task, name='again')], sim=mm)
    assert again.results['again']['changed'] is False and mm.writes() == []


def test_source_url_with_checksum_installs(mm, tmp_path):
    mm.set_file_settings(EnableUploads=True)
    entry = mm.publish('1.1.0')
    task = plugin_task('url', id=PLUGIN_ID, source='url', src=entry['download_url'], checksum='sha256:%s' % sha256(mm.bundles.path('1.1.0')), enabled=True)
    run = run_tasks(tmp_path, [task], sim=mm)
    assert run.results['url'].get('failed') is not True and run.results['url']['changed'] is True, run.results['url']
    assert mm.plugins()[PLUGIN_ID]['version'] == '1.1.0'


def test_a_wrong_checksum_installs_nothing(mm, tmp_path):
    mm.set_file_settings(EnableUploads=True)
    task = plugin_task('file', id=PLUGIN_ID, source='file', src=mm.bundles.path('1.0.0'), checksum='sha256:' + '0' * 64)
    run = run_tasks(tmp_path, [task], sim=mm)
    assert run.results['file']['failed'] is True and 'checksum' in run.results['file']['msg'].lower(), run.results['file']
    assert mm.writes() == [] and PLUGIN_ID not in mm.plugins()


def test_an_untrusted_signature_installs_nothing(mm, tmp_path):
    mm.set_file_settings(EnableUploads=True)
    task = plugin_task(
        'file', id=PLUGIN_ID, source='file', src=mm.bundles.path('1.0.0'), signature=mm.bundles.untrusted_signature, trusted_keys=[mm.signing.public]
    )
    run = run_tasks(tmp_path, [task], sim=mm)
    assert run.results['file']['failed'] is True and 'signature' in run.results['file']['msg'].lower(), run.results['file']
    assert mm.writes() == [] and PLUGIN_ID not in mm.plugins()


def test_a_webapp_only_bundle_installs_from_a_file(mm, tmp_path):
    mm.set_file_settings(EnableUploads=True)
    run = run_tasks(
        tmp_path, [plugin_task('webapp', id='com.mmops.e2e-webapp', source='file', src=mm.bundles.path('1.0.0', 'com.mmops.e2e-webapp'), enabled=True)], sim=mm
    )
    assert run.results['webapp'].get('failed') is not True and run.results['webapp']['changed'] is True, run.results['webapp']
    assert mm.plugins()['com.mmops.e2e-webapp']['active'] is True
