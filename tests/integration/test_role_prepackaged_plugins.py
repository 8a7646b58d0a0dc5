# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The prepackaged_plugins role: a signed custom plugin onto a server that requires signatures, end to end."""

import grp
import gzip
import io
import json
import os
import pwd
import sys
import tarfile

from support.harness import PASSPHRASE, server_config, signature_task
from support.playbooks import plugin_task, run_tasks


PLUGIN_ID = 'com.example.prepackaged'
RESTART_HANDLER = 'mmops.mattermost.prepackaged_plugins : Restart Mattermost with the restart command (prepackaged_plugins)'


def build_bundle(path, version='0.1.0'):
    """A plugin bundle as `make dist` builds it: <id>/plugin.json and a server executable."""
    manifest = {
        'id': PLUGIN_ID,
        'name': 'Prepackaged example',
        'version': version,
        'server': {'executables': {'linux-amd64': 'server/dist/plugin-linux-amd64'}},
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w') as archive:
        for name, data in (('plugin.json', json.dumps(manifest).encode()), ('server/dist/plugin-linux-amd64', b'#!/bin/sh\n')):
            info = tarfile.TarInfo('%s/%s' % (PLUGIN_ID, name))
            info.size, info.mode = len(data), 0o755
            archive.addfile(info, io.BytesIO(data))
    path.write_bytes(gzip.compress(raw.getvalue()))
    return path


def prepare(sim, tmp_path, **reset):
    host = tmp_path / 'host'
    (host / 'config').mkdir(parents=True)
    config = server_config(host / 'config' / 'config.json')
    settings = dict(RequirePluginSignature=True, EnableUploads=False, AutomaticPrepackagedPlugins=True)
    settings.update(reset.pop('settings', {}))
    sim.reset(
        server_version='10.11.0',
        config={'PluginSettings': settings},
        prepackaged_dir=str(host / 'prepackaged_plugins'),
        config_dir=str(host / 'config'),
        **reset,
    )
    return host, config


def role_task(sim, host, bundle):
    restart = [
        sys.executable,
        '-c',
        'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="POST"))',
        sim.url + '/__sim/restart',
    ]
    return {
        'name': 'place the signed bundle',
        'ansible.builtin.include_role': {'name': 'mmops.mattermost.prepackaged_plugins'},
        'vars': dict(
            mattermost_prepackaged_plugins=[dict(src=str(bundle), signature=str(bundle) + '.sig')],
            mattermost_install_dir=str(host),
            mattermost_user=pwd.getpwuid(os.getuid()).pw_name,
            mattermost_group=grp.getgrgid(os.getgid()).gr_name,
            mattermost_restart_command=restart,
            mattermost_url=sim.url,
        ),
    }


def trust_task(keys, config):  # noqa: F811 - `keys` is the fixture's value
    return {'name': 'trust the key', 'mmops.mattermost.plugin_key': dict(name='example-plugins.asc', src=keys.public, config_path=str(config))}


def sign(keys, bundle, home=None, fingerprint=None):  # noqa: F811 - `keys` is the fixture's value
    return signature_task(
        'sign',
        path=str(bundle),
        state='signed',
        key_id=fingerprint or keys.fingerprint,
        gnupghome=home or keys.home,
        passphrase=PASSPHRASE if home is None else None,
    )


def test_a_server_requiring_signatures_installs_a_signed_prepackaged_plugin_and_enables_it(keys, sim, tmp_path):  # noqa: F811
    host, config = prepare(sim, tmp_path)
    bundle = build_bundle(tmp_path / ('%s-0.1.0.tar.gz' % PLUGIN_ID))
    tasks = [
        sign(keys, bundle),
        trust_task(keys, config),
        role_task(sim, host, bundle),
        {'name': 'restart now', 'ansible.builtin.meta': 'flush_handlers'},
        plugin_task('enable', id=PLUGIN_ID, enabled=True, register_errors=False),
    ]
    run = run_tasks(tmp_path, tasks, sim)
    assert run.rc == 0 and run.stats['failures'] == 0, run.output
    assert run.results['trust the key']['reloaded'] is True
    assert RESTART_HANDLER in run.results, sorted(run.results)
    assert run.results['enable']['actions'] == ['install %s 0.1.0 from the Marketplace' % PLUGIN_ID, 'enable %s' % PLUGIN_ID]
    plugin = sim.plugin(PLUGIN_ID)
    assert plugin['enabled'] is True and plugin['version'] == '0.1.0' and [node['state'] for node in plugin['nodes']] == [2]
    placed = host / 'prepackaged_plugins' / bundle.name
    assert placed.read_bytes() == bundle.read_bytes()
    assert (host / 'prepackaged_plugins' / (bundle.name + '.sig')).read_bytes() == (tmp_path / (bundle.name + '.sig')).read_bytes()
    assert placed.stat().st_uid == os.getuid()
    # Nothing was uploaded: the server took the prepackaged copy through its Marketplace install.
    assert ('POST', '/api/v4/plugins') not in [(w['method'], w['path']) for w in sim.writes()]

    again = run_tasks(tmp_path, tasks, sim)
    assert again.rc == 0 and again.changed == 0, again.output
    assert RESTART_HANDLER not in again.results


def test_at_restart_an_enabled_prepackaged_plugin_is_installed_only_when_a_trusted_key_signed_it(keys, sim, tmp_path):  # noqa: F811
    host, config = prepare(sim, tmp_path, settings={'PluginStates': {PLUGIN_ID: {'Enable': True}}})
    bundle = build_bundle(tmp_path / ('%s-0.1.0.tar.gz' % PLUGIN_ID))
    trust = trust_task(keys, config)
    # Signed by a key the server does not trust: placed, restarted, not installed; the Marketplace install is refused.
    run = run_tasks(
        tmp_path,
        [
            sign(keys, bundle, keys.other_home, keys.other_fingerprint),
            trust,
            role_task(sim, host, bundle),
            {'name': 'restart now', 'ansible.builtin.meta': 'flush_handlers'},
            plugin_task('install', id=PLUGIN_ID),
        ],
        sim,
    )
    assert RESTART_HANDLER in run.results, sorted(run.results)
    assert sim.plugin(PLUGIN_ID) is None
    assert 'api.plugin.verify_plugin.app_error' in run.results['install']['msg']
    # Signed by the trusted key: the restart installs it (it was enabled already), and it runs.
    run = run_tasks(tmp_path, [sign(keys, bundle), role_task(sim, host, bundle)], sim)
    assert run.rc == 0 and RESTART_HANDLER in run.results, run.output
    assert sim.plugin(PLUGIN_ID)['version'] == '0.1.0'
