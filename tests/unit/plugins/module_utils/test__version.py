# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import itertools

import pytest

from ansible_collections.mmops.mattermost.plugins.module_utils._version import compare_versions, is_compatible, newest, parse_version

# The precedence example of the semver 2.0 specification, lowest first.
SEMVER_SPEC_ORDER = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']


@pytest.mark.parametrize(
    'text, normalized',
    [
        ('1.2.3', '1.2.3'),
        ('0.0.0', '0.0.0'),
        ('v1.2.3', '1.2.3'),
        ('V10.20.30', '10.20.30'),
        ('2.0.0-rc.1+build.5', '2.0.0-rc.1+build.5'),
        ('1.0.0-0.3.7', '1.0.0-0.3.7'),
        ('1.0.0-x-y-z.--', '1.0.0-x-y-z.--'),
        ('1.0.0-0a.01a', '1.0.0-0a.01a'),
        ('1.0.0+0.build.1-rc.10000aaa-kk-0.1', '1.0.0+0.build.1-rc.10000aaa-kk-0.1'),
        ('99999999999999999999.0.0', '99999999999999999999.0.0'),
    ],
)
def test_parse_version_accepts_semver(text, normalized):
    assert str(parse_version(text)) == normalized


def test_parse_version_exposes_its_parts():
    version = parse_version('v1.2.3-beta.11+exp.sha.5114f85')
    assert (version.major, version.minor, version.patch) == (1, 2, 3)
    assert version.prerelease == ('beta', '11')
    assert version.build == ('exp', 'sha', '5114f85')
    assert repr(version) == "Version('1.2.3-beta.11+exp.sha.5114f85')"


@pytest.mark.parametrize(
    'text',
    [
        '',
        '1',
        '1.2',
        '1.2.3.4',
        '01.2.3',
        '1.02.3',
        '1.2.03',
        '1.2.3-01',
        '1.2.3-',
        '1.2.3+',
        '1.2.3-alpha..1',
        '1.2.3+build..1',
        '1.2.3-al_pha',
        'vv1.2.3',
        'v',
        '=1.2.3',
        ' 1.2.3',
        '1.2.3 ',
        '1.2.3\n',
        'version 1.2.3',
        '-1.2.3',
        '1.2.x',
        '\uff11.2.3',
        None,
        1.0,
        123,
    ],
)
def test_parse_version_rejects_anything_else(text):
    with pytest.raises(ValueError) as error:
        parse_version(text)
    assert '%r is not a semantic version' % (text,) in str(error.value)
    assert 'MAJOR.MINOR.PATCH' in str(error.value)


@pytest.mark.parametrize('lower, higher', list(itertools.combinations(SEMVER_SPEC_ORDER, 2)))
def test_semver_spec_precedence(lower, higher):
    assert parse_version(lower) < parse_version(higher)
    assert parse_version(higher) > parse_version(lower)
    assert parse_version(lower) != parse_version(higher)
    assert compare_versions(lower, higher) == -1
    assert compare_versions(higher, lower) == 1


def test_sorting_follows_semver_spec_precedence():
    assert sorted(reversed(SEMVER_SPEC_ORDER), key=parse_version) == SEMVER_SPEC_ORDER


@pytest.mark.parametrize(
    'lower, higher',
    [
        ('1.9.0', '1.10.0'),
        ('1.10.0', '2.0.0'),
        ('2.0.9', '2.0.10'),
        ('2.0.0-rc.99', '2.0.0'),
        ('1.0.0-2', '1.0.0-10'),
        ('1.0.0-999', '1.0.0-a'),
        ('1.0.0-rc', '1.0.0-rc.0'),
        ('0.9.9', 'v1.0.0'),
    ],
)
def test_compare_versions_orders(lower, higher):
    assert compare_versions(lower, higher) == -1
    assert compare_versions(higher, lower) == 1
    assert compare_versions(lower, lower) == 0


@pytest.mark.parametrize(
    'left, right',
    [
        ('1.0.0+a', '1.0.0+b'),
        ('1.0.0', '1.0.0+build.7'),
        ('1.0.0-rc.1+x', '1.0.0-rc.1'),
        ('v3.1.0', '3.1.0'),
    ],
)
def test_build_metadata_and_leading_v_do_not_count(left, right):
    assert compare_versions(left, right) == 0
    assert parse_version(left) == parse_version(right)
    assert hash(parse_version(left)) == hash(parse_version(right))


def test_versions_do_not_equal_other_types():
    assert parse_version('1.0.0') != '1.0.0'
    with pytest.raises(TypeError):
        assert parse_version('1.0.0') < '2.0.0'


def test_compare_versions_names_the_bad_text():
    with pytest.raises(ValueError, match="'latest' is not a semantic version"):
        compare_versions('1.0.0', 'latest')


@pytest.mark.parametrize(
    'minimum, server, expected',
    [
        (None, '9.0.0', True),
        ('', '9.0.0', True),
        ('9.0.0', '9.0.0', True),
        ('5.6.0', '10.0.0', True),
        ('9.1.0', '9.0.0', False),
        ('9.0.0', '9.0.0-rc1', False),
        ('9.0.0-rc1', '9.0.0', True),
        ('v7.0.0', '7.0.0+ent', True),
        ('not-semver', '9.0.0', False),
    ],
)
def test_is_compatible(minimum, server, expected):
    assert is_compatible(minimum, server) is expected


def test_is_compatible_needs_a_semver_server_version():
    with pytest.raises(ValueError, match="'9.0' is not a semantic version"):
        is_compatible('8.0.0', '9.0')


@pytest.mark.parametrize(
    'versions, expected',
    [
        (['1.0.0', '1.10.0', '1.9.0'], '1.10.0'),
        (['2.0.0-rc.1', '2.0.0-beta.3', '1.9.9'], '2.0.0-rc.1'),
        (['2.0.0-rc.1', '2.0.0'], '2.0.0'),
        (['latest', 'v2.1.0', None, '2.0.0'], 'v2.1.0'),
        (iter(['0.1.0']), '0.1.0'),
        (['latest', ''], None),
        ([], None),
    ],
)
def test_newest(versions, expected):
    assert newest(versions) == expected
