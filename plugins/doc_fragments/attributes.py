# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    # Modules that change a server: full check and diff mode.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
"""

    # Read-only modules.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: This action does not modify state.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: N/A
    details: This action does not modify state.
"""

    # Members of the group/mmops.mattermost.api module_defaults group.
    ACTIONGROUP_API = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/mmops.mattermost.api) in C(module_defaults) to set connection options once for all API modules.
    support: full
    membership:
      - mmops.mattermost.api
"""

    # API modules with an action plugin that runs their code inside Ansible's worker on the controller.
    IN_PROCESS = r"""
options: {}
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - When the task runs on the controller (a local connection, or C(delegate_to) localhost) without become, async or a
        task C(environment), the action plugin runs this module's code inside Ansible's worker process, with the
        controller's Python and libraries, instead of starting a Python process for each host. On any other connection
        it runs as a module.
      - Set the environment variable E(MMOPS_MATTERMOST_IN_PROCESS=false) to run it as a module everywhere.
"""
