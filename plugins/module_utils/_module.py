# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every API module does around its own logic: argument spec, libraries, errors."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.mmops.mattermost.plugins.module_utils import _client
from ansible_collections.mmops.mattermost.plugins.module_utils._bundle import BundleError
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin import PluginError
from ansible_collections.mmops.mattermost.plugins.module_utils._settings import SettingsError


def api_module(argument_spec, **kwargs):
    """An AnsibleModule with the shared connection options added and the client's library checked."""
    spec = dict(_client.CONNECTION_ARGSPEC)
    spec.update(argument_spec)
    return http_module(spec, **kwargs)


def http_module(argument_spec, **kwargs):
    """An AnsibleModule that talks HTTP (Marketplaces, download hosts) without a server connection; requests checked."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **kwargs)
    if not _client.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=_client.REQUESTS_IMPORT_ERROR)
    return module


@contextlib.contextmanager
def failing_clearly(module):
    """Turn the collection's errors into fail_json with their details (status, error id, request, nodes)."""
    try:
        yield
    except (_client.MattermostError, PluginError, SettingsError) as exc:
        module.fail_json(msg=str(exc), **exc.details)
    except BundleError as exc:
        module.fail_json(msg=str(exc))
