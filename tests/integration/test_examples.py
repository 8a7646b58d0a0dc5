# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's EXAMPLES, run as written against the simulator."""

import hashlib

from support.harness import fetch_bundle, module_examples
from support.playbooks import run_tasks


def test_plugin_and_plugin_info_examples_run(sim, tmp_path):
    webhooks = fetch_bundle(sim, tmp_path, 'com.example.webhooks', '0.2.0')
    notes = fetch_bundle(sim, tmp_path, 'com.example.notes', '1.0.0')
    extra_vars = dict(
        mattermost_url=sim.url,
        mattermost_token=sim.token,
        webhooks_bundle_url=sim.bundle_url('com.example.webhooks', '0.2.0'),
        webhooks_bundle_sha256=hashlib.sha256(webhooks.read_bytes()).hexdigest(),
        notes_bundle_path=str(notes),
    )
    env = {'MATTERMOST_URL': sim.url, 'MATTERMOST_TOKEN': sim.token}
    for module in ('plugin', 'plugin_info'):
        run = run_tasks(tmp_path, module_examples(module), sim, extra_vars=extra_vars, env=env, connection_defaults=False)
        assert run.rc == 0 and run.stats.get('failures') == 0, run.output
    plugins = sim.state()['plugins']
    assert plugins['github']['enabled'] is True
    assert plugins['jira']['version'] == '2.4.0'
    assert plugins['zoom']['enabled'] is False
    assert plugins['com.example.webhooks']['version'] == '0.2.0'
    assert plugins['com.example.notes']['version'] == '1.0.0'
