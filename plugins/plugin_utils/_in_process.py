# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run an API module's own code inside Ansible's worker when the task runs on the controller.

On the module path Ansible packs the module, starts a Python interpreter and imports the collection for
every host: about 0.2 s of CPU, far more than the few requests a no-op run sends. When the task's
connection is local anyway, the action plugin calls the module file's `run(module)` here instead, with
a module object that validates arguments, hides no_log values and shapes the result as AnsibleModule
does. Anything the worker cannot reproduce (become, async, a task environment, another connection)
takes the module path, unchanged.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
import typing as t

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.validation import check_type_bool
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase

from ansible_collections.mmops.mattermost.plugins.module_utils._module import run_module

try:  # ansible-core 2.19 and later: the encoder the module path sends module arguments with
    from ansible.module_utils.common.json import Direction, get_module_encoder

    _ARGS_ENCODER: t.Any = get_module_encoder('legacy', Direction.CONTROLLER_TO_MODULE)
except ImportError:  # ansible-core 2.16 to 2.18
    from ansible.module_utils.common.json import AnsibleJSONEncoder

    _ARGS_ENCODER = functools.partial(AnsibleJSONEncoder, vault_to_text=True)

# Set to a false value (false, no, 0) to run every task through the module path.
IN_PROCESS_ENV = 'MMOPS_MATTERMOST_IN_PROCESS'


class _ModuleReturn(Exception):
    """exit_json/fail_json of the in-process module: ends the module's code with its result."""

    def __init__(self, result: dict[str, t.Any]) -> None:
        super().__init__('module returned')
        self.result = result


class InProcessModule:
    """What the API modules use of AnsibleModule, for code running inside the worker.

    Arguments are validated by the same validator AnsibleModule uses, with the same messages; the result
    goes through JSON as on the module path, with every no_log value replaced.
    """

    def __init__(self, task: dict[str, t.Any], argument_spec: dict[str, t.Any], supports_check_mode: bool = True, **constraints: t.Any) -> None:
        self._name: str = task['name']
        self.check_mode: bool = task['check_mode']
        self._diff: bool = task['diff']
        self.tmpdir: str = task['tmpdir']
        self._warnings: list[str] = []
        # Through JSON as on the module path: vaulted values decrypted, templating's types gone.
        self.params: dict[str, t.Any] = json.loads(json.dumps(task['args'], cls=_ARGS_ENCODER))
        validation = ArgumentSpecValidator(argument_spec, **constraints).validate(self.params)
        self.params.update(validation.validated_parameters)
        self.no_log_values: set[str] = set(validation._no_log_values)
        for warning in validation._warnings:
            self.warn('Both option {option} and its alias {alias} are set.'.format(**warning))
        self._deprecations: list[dict[str, t.Any]] = list(validation._deprecations)
        if validation.error_messages:
            message = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                message = 'Unsupported parameters for ({name}) module: {msg}'.format(name=self._name, msg=message)
            self.fail_json(msg=message)

    def warn(self, warning: str) -> None:
        self._warnings.append(warning)

    def exit_json(self, **result: t.Any) -> t.NoReturn:
        raise _ModuleReturn(self._formatted(result))

    def fail_json(self, msg: str, **result: t.Any) -> t.NoReturn:
        result.update(failed=True, msg=str(msg))
        raise _ModuleReturn(self._formatted(result))

    def _formatted(self, result: dict[str, t.Any]) -> dict[str, t.Any]:
        result.setdefault('invocation', {'module_args': self.params})
        if self._warnings:
            result['warnings'] = self._warnings
        if self._deprecations:
            result['deprecations'] = self._deprecations
        # As AnsibleModule: booleans and None survive no_log replacement, everything else is censored.
        preserved = {key: value for key, value in result.items() if value is None or isinstance(value, bool)}
        result = remove_values(result, self.no_log_values)
        result.update(preserved)
        # What reaches the controller on the module path is JSON: the same types here.
        return json.loads(json.dumps(result))


def in_process_allowed() -> bool:
    """False when the user forces the module path with MMOPS_MATTERMOST_IN_PROCESS."""
    return check_type_bool(os.environ.get(IN_PROCESS_ENV, 'true'))


class InProcessAction(ActionBase):
    """Base of the API modules' action plugins; `MODULE` is the module file (its SPEC and run)."""

    MODULE: t.Any = None

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        self._supports_check_mode = True
        result = super().run(tmp, task_vars)
        if not self._runs_in_worker():
            result.update(self._execute_module(task_vars=task_vars))
            return result
        tmpdir = tempfile.mkdtemp(prefix='ansible-mmops-')
        task = dict(name=self._task.action, args=self._task.args, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff), tmpdir=tmpdir)
        try:
            run_module(self.MODULE.SPEC, self.MODULE.run, lambda **spec: InProcessModule(task, **spec))
        except _ModuleReturn as returned:
            result.update(returned.result)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        return result

    def _runs_in_worker(self) -> bool:
        """The module would run on this controller as this user with this environment: run its code here."""
        return (
            in_process_allowed()
            and getattr(self._connection, 'transport', None) == 'local'
            and not self._play_context.become
            and not self._task.async_val
            and not any(self._task.environment or [])
        )
