# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's one error type, and the one place where it becomes a failed module result.

Every error the module_utils raise on purpose is a MattermostOpsError (a subclass names the layer: MattermostError
for the HTTP client, BundleError, SignatureError, ConfigFileError, ConfigStoreError, PluginDirsError, and the two
defined here). Its message says what is wrong and what to do; its `details` become fields of the result.
"""

import contextlib


class MattermostOpsError(Exception):
    """A desired state that cannot be reached; `details` (status, error_id, request, nodes...) go into the result."""

    def __init__(self, message, **details):
        super(MattermostOpsError, self).__init__(message)
        self.details = details


class PluginError(MattermostOpsError):
    """A plugin cannot reach its desired state; the message says why and what to do."""


class SettingsError(MattermostOpsError):
    """Settings that cannot be applied; the message names the setting and what is allowed."""


@contextlib.contextmanager
def failing_clearly(module, message='%s', also=(), **fields):
    """Turn a MattermostOpsError (and the exception types in `also`) raised inside into fail_json.

    `message` frames the error's text (what a module adds, such as "nothing was placed"); `fields` are result fields
    every failure of the module carries; the error's own details come last.
    """
    caught = (MattermostOpsError, *also)
    try:
        yield
    except caught as exc:
        result = dict(fields)
        result.update(getattr(exc, 'details', None) or {})
        module.fail_json(msg=message % exc, **result)
