# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Semantic versions (semver 2.0), ordered the way Mattermost and its Marketplace order them (blang/semver)."""

import functools
import re

# The semver 2.0 grammar; `[0-9]` rather than `\d`, which would also accept non-ASCII digits.
_NUMBER = r'0|[1-9][0-9]*'
_PRERELEASE_IDENTIFIER = r'0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*'
_SEMVER = re.compile(
    r'[vV]?(?P<major>{number})\.(?P<minor>{number})\.(?P<patch>{number})'
    r'(?:-(?P<prerelease>(?:{identifier})(?:\.(?:{identifier}))*))?'
    r'(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?'.format(number=_NUMBER, identifier=_PRERELEASE_IDENTIFIER)
)


@functools.total_ordering
class Version:
    """One semantic version; equality and ordering ignore build metadata, as semver 2.0 says."""

    def __init__(self, major, minor, patch, prerelease=(), build=()):
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = tuple(prerelease)
        self.build = tuple(build)

    @property
    def _precedence(self):
        # A release outranks its pre-releases; numeric identifiers rank below alphanumeric ones and
        # compare as numbers; a longer identifier list outranks its own prefix (tuple order does that).
        identifiers = tuple((0, int(part), '') if part.isdigit() else (1, 0, part) for part in self.prerelease)
        return (self.major, self.minor, self.patch, not self.prerelease, identifiers)

    def __eq__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._precedence == other._precedence

    def __lt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._precedence < other._precedence

    def __hash__(self):
        return hash(self._precedence)

    def __str__(self):
        text = '%d.%d.%d' % (self.major, self.minor, self.patch)
        if self.prerelease:
            text += '-' + '.'.join(self.prerelease)
        if self.build:
            text += '+' + '.'.join(self.build)
        return text

    def __repr__(self):
        return 'Version(%r)' % str(self)


def parse_version(text):
    """The Version that `text` spells (a leading `v` is allowed, as in git tags); ValueError if it is not semver."""
    match = _SEMVER.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError('%r is not a semantic version (expected MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], e.g. 1.2.3 or 2.0.0-rc.1)' % (text,))
    prerelease = match.group('prerelease')
    build = match.group('build')
    return Version(
        int(match.group('major')),
        int(match.group('minor')),
        int(match.group('patch')),
        prerelease.split('.') if prerelease else (),
        build.split('.') if build else (),
    )


def compare_versions(left, right):
    """-1, 0 or 1 as the version text `left` is lower than, equal to or higher than `right`."""
    left, right = parse_version(left), parse_version(right)
    return (left > right) - (left < right)


def is_compatible(min_server_version, server_version):
    """Whether a plugin needing `min_server_version` can run on `server_version` (no minimum: always).

    A minimum that is not semver counts as incompatible: Mattermost refuses to activate such a plugin.
    """
    if not min_server_version:
        return True
    server = parse_version(server_version)
    try:
        minimum = parse_version(min_server_version)
    except ValueError:
        return False
    return server >= minimum


def newest(versions):
    """The highest of the version texts in `versions` (texts that are not semver are skipped), or None."""
    parsed = []
    for text in versions:
        try:
            parsed.append((parse_version(text), text))
        except ValueError:
            continue
    if not parsed:
        return None
    return max(parsed, key=lambda pair: pair[0])[1]
