# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plugin ids: checked and normalised in one place, before any path, URL or config key is built from one."""

import re

from ansible_collections.mmops.mattermost.plugins.module_utils._errors import MattermostOpsError

# Mattermost's rule for plugin ids (IsValidPluginId, server/public/model/plugin_valid.go): 3 to 190 characters,
# each matching ^[a-zA-Z0-9-_\.]+$. The id becomes a file name and a URL path segment, hence the rule.
PLUGIN_ID_MIN_LENGTH = 3
PLUGIN_ID_MAX_LENGTH = 190
_PLUGIN_ID = re.compile(r'[a-zA-Z0-9_.-]+')
PLUGIN_ID_RULE = "%d to %d characters, each a letter, digit, '-', '_' or '.'" % (PLUGIN_ID_MIN_LENGTH, PLUGIN_ID_MAX_LENGTH)


class PluginIdError(MattermostOpsError):
    """An id that Mattermost would refuse."""


def validate_plugin_id(plugin_id):
    """`plugin_id` in lower case, as Mattermost stores it (model.FindManifest); PluginIdError unless it follows Mattermost's rule.

    The one place ids are checked and normalised: whatever builds a path, a URL or a config key from an id takes it from here.
    """
    valid = isinstance(plugin_id, str) and PLUGIN_ID_MIN_LENGTH <= len(plugin_id) <= PLUGIN_ID_MAX_LENGTH and _PLUGIN_ID.fullmatch(plugin_id)
    if not valid:
        raise PluginIdError('invalid plugin id %r: a plugin id is %s' % (plugin_id, PLUGIN_ID_RULE))
    return plugin_id.lower()
