# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    # What the modules that enable, disable or remove plugins do on a cluster whose config store is read-only.
    DOCUMENTATION = r"""
options: {}
notes:
  - On a high-availability cluster (C(ClusterSettings.Enable)) with C(ClusterSettings.ReadOnlyConfig) true (the
    default), Mattermost's file config store refuses every config save. Before its first write, a run that enables,
    disables or removes a plugin or changes its settings sends an empty C(PUT /api/v4/config/patch), which such a server
    refuses as it would the change (elsewhere it changes nothing), and fails naming C(ClusterSettings.ReadOnlyConfig)
    and the way out (the database config store, or C(ReadOnlyConfig) false on every node). Not in check mode; a run that
    changes nothing sends no such request.
"""
