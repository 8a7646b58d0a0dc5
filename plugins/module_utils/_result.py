# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How every module of the collection exits: one convention for what its result holds."""


def exit_with(module, result):
    """exit_json with `result`, keeping its `diff` only in diff mode.

    Ansible shows a diff only with --diff, but a result's every key reaches registered variables, callbacks and -v
    output: a diff there without --diff is noise, and it can be large.
    """
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)
