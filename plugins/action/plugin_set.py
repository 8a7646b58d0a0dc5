# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mmops.mattermost.plugin_set: in Ansible's worker on the controller, else the module path (see _in_process)."""

from __future__ import annotations

from ansible_collections.mmops.mattermost.plugins.modules import plugin_set
from ansible_collections.mmops.mattermost.plugins.plugin_utils._in_process import InProcessAction


class ActionModule(InProcessAction):
    MODULE = plugin_set
