# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole desired plugin state of one server: read once, plan every plugin, then apply in phases."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.mmops.mattermost.plugins.module_utils._bundle import validate_plugin_id
from ansible_collections.mmops.mattermost.plugins.module_utils._client import DOWNLOAD_TIMEOUT
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin import PluginError, PluginReconciler, PluginSpec


def removal_specs(view, specs, keep):
    """With exclusive: a state=absent spec for every installed plugin neither listed nor kept."""
    wanted = set(spec.id for spec in specs) | set(validate_plugin_id(plugin_id) for plugin_id in keep or [])
    return [PluginSpec(dict(id=plugin_id, state='absent')) for plugin_id in view.plugin_ids() if plugin_id not in wanted]


def check_unique(specs):
    seen = set()
    for spec in specs:
        if spec.id in seen:
            raise PluginError('plugin %s is listed more than once; give each plugin one entry' % spec.id)
        seen.add(spec.id)


def reconcile_set(view, entries, exclusive=False, keep=None, check_mode=False, tmpdir=None, no_log_values=None,
                  download_timeout=DOWNLOAD_TIMEOUT):
    """The plugin_set module's job: every entry (plugin module options plus settings) planned before any write.

    Nothing is written before every entry is planned, so a plan error leaves the server as it was; the writes
    then go in the reconciler's phases, with one wait for all.
    """
    specs = [PluginSpec(entry, no_log_values) for entry in entries]
    check_unique(specs)
    if exclusive:
        specs += removal_specs(view, specs, keep)
    reconciler = PluginReconciler(view, check_mode=check_mode, tmpdir=tmpdir, no_log_values=no_log_values,
                                  download_timeout=download_timeout)
    plans = [reconciler.plan(spec) for spec in specs]

    results = reconciler.converge(plans)
    changed = [result for result in results if result['changed']]
    return dict(changed=bool(changed), plugins=results, actions=[action for result in results for action in result['actions']],
                diff=dict(before=dict((result['id'], result['before']) for result in changed),
                          after=dict((result['id'], result['after']) for result in changed)))
