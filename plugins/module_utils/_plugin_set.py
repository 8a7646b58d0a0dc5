# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole desired plugin state of one server: read once, plan every plugin, then apply in phases."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.mmops.mattermost.plugins.module_utils._plugin import (
    PluginError, PluginReconciler, PluginSpec, diff_view)


def removal_specs(view, specs, keep):
    """With exclusive: a state=absent spec for every installed plugin neither listed nor kept."""
    wanted = set(spec.id for spec in specs) | set((plugin_id or '').strip().lower() for plugin_id in keep or [])
    return [PluginSpec(dict(id=plugin_id, state='absent')) for plugin_id in view.plugin_ids() if plugin_id not in wanted]


def check_unique(specs):
    seen = set()
    for spec in specs:
        if spec.id in seen:
            raise PluginError('plugin %s is listed more than once; give each plugin one entry' % spec.id)
        seen.add(spec.id)


def reconcile_set(view, entries, exclusive=False, keep=None, check_mode=False, tmpdir=None, no_log_values=None):
    """The plugin_set module's job: every entry (plugin module options plus settings) planned before any write.

    Writes go in phases, so a server is never left half-way because of a plan error: removals, installs
    and upgrades, one config patch with every plugin's settings, enable/disable, then one wait for all.
    """
    specs = [PluginSpec(entry) for entry in entries]
    check_unique(specs)
    if exclusive:
        specs += removal_specs(view, specs, keep)
    reconciler = PluginReconciler(view, check_mode=check_mode, tmpdir=tmpdir, no_log_values=no_log_values)
    plans = [reconciler.plan(spec) for spec in specs]

    for plan in plans:
        reconciler.apply_removal(plan)
        reconciler.apply_install(plan)
    reconciler.apply_settings(plans)
    for plan in plans:
        reconciler.apply_toggle(plan)
    if not check_mode and any(plan.changed for plan in plans):
        view.refresh_statuses()

    waiting = [plan for plan in plans if plan.spec.state != 'absent' and plan.spec.wait and reconciler.after(plan)['enabled']]
    if waiting:
        targets = dict((plan.spec.id, plan.install.version if plan.install else reconciler.after(plan)['version']) for plan in waiting)
        reconciler.wait_running(targets, max(plan.spec.wait_timeout for plan in waiting))

    results, before, after = [], {}, {}
    for plan in plans:
        state = reconciler.after(plan)
        result = dict(id=plan.spec.id, changed=plan.changed, actions=plan.actions(), before=diff_view(plan.before), after=diff_view(state),
                      plugin=state)
        if plan.settings is not None:
            result['before']['settings'], result['after']['settings'] = plan.settings.before, plan.settings.after
        results.append(result)
        if plan.changed:
            before[plan.spec.id], after[plan.spec.id] = result['before'], result['after']
    return dict(changed=any(plan.changed for plan in plans), plugins=results,
                actions=[action for plan in plans for action in plan.actions()], diff=dict(before=before, after=after))
