"""Semantic versions ordered as blang/semver (Mattermost and the Marketplace) orders them.

Kept separate from the collection's own version code on purpose: a test double that shares the
code under test would agree with its bugs.
"""

import re

_SEMVER = re.compile(r'v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?')


def parse(text):
    match = _SEMVER.fullmatch(text or '')
    if not match:
        raise ValueError('invalid semver %r' % (text,))
    major, minor, patch, pre = match.groups()
    pre_key = tuple((0, int(p), '') if p.isdigit() else (1, 0, p) for p in pre.split('.')) if pre else ()
    return (int(major), int(minor), int(patch), not pre, pre_key)


def is_valid(text):
    try:
        parse(text)
    except ValueError:
        return False
    return True
