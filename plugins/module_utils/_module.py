# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every API module does around its own logic: argument spec, libraries, errors (through _errors.failing_clearly)."""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.mmops.mattermost.plugins.module_utils import _client
from ansible_collections.mmops.mattermost.plugins.module_utils._errors import failing_clearly
from ansible_collections.mmops.mattermost.plugins.module_utils._result import exit_with


def api_spec(argument_spec, connection_required=True, **constraints):
    """An API module's AnsibleModule arguments: the shared connection options, its own, and their constraints.

    Both AnsibleModule (the module path) and the in-process action plugin take this dict. Without
    `connection_required`, url and token may be left out (the module says what it does without a server).
    """
    spec = dict(
        (name, dict(option, required=False) if not connection_required and option.get('required') else option)
        for name, option in _client.CONNECTION_ARGSPEC.items()
    )
    spec.update(argument_spec)
    return dict(argument_spec=spec, supports_check_mode=True, **constraints)


def check_libraries(module):
    """Fail with Ansible's missing-library message when requests (every API module needs it) is absent."""
    if not _client.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=_client.REQUESTS_IMPORT_ERROR)


def run_module(spec, run, module_class=AnsibleModule):
    """An API module from end to end: build it from `spec`, run `run(module)`, exit with its result.

    `diff` is kept in diff mode only. `main()` of the module file passes AnsibleModule; the in-process action plugin its own module class.
    """
    module = module_class(**spec)
    check_libraries(module)
    with failing_clearly(module):
        result = run(module)
    exit_with(module, result)


def http_module(argument_spec, **kwargs):
    """An AnsibleModule that talks HTTP (Marketplaces, download hosts) without a server connection; requests checked."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **kwargs)
    check_libraries(module)
    return module
