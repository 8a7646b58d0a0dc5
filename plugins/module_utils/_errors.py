# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors that several module_utils raise."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class PluginError(Exception):
    """A plugin cannot reach its desired state; the message says why and what to do."""

    def __init__(self, message, **details):
        super(PluginError, self).__init__(message)
        self.details = details


class SettingsError(Exception):
    """Settings that cannot be applied; the message names the setting and what is allowed."""

    def __init__(self, message, **details):
        super(SettingsError, self).__init__(message)
        self.details = details
