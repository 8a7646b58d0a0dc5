# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the Marketplace: as the server sees it, and straight from the Marketplace service."""

from typing import Any

from ansible_collections.mmops.mattermost.plugins.module_utils._client import MattermostError, redact_url
from ansible_collections.mmops.mattermost.plugins.module_utils._plugin_id import PluginIdError, validate_plugin_id
from ansible_collections.mmops.mattermost.plugins.module_utils._version import compare_versions, is_compatible, parse_version

DEFAULT_MARKETPLACE_URL = 'https://api.integrations.mattermost.com'


def entry_version(entry):
    return (entry.get('manifest') or {}).get('version')


def entry_id(entry):
    """The entry's plugin id as Mattermost stores it; '' (an entry select drops) when it is missing or breaks Mattermost's rule."""
    try:
        return validate_plugin_id((entry.get('manifest') or {}).get('id'))
    except PluginIdError:
        return ''


def same_version(left, right):
    """Equal as Mattermost compares versions (build metadata ignored); plain text equality if either is not semver."""
    if left is None or right is None:
        return left == right
    try:
        return compare_versions(left, right) == 0
    except ValueError:
        return left == right


def server_listing(client):
    """{id: entry} for the whole listing as the server sees it."""
    return dict((entry_id(entry), entry) for entry in client.get_marketplace())


def all_versions(client, marketplace_url, plugin_id):
    """Every release of one plugin straight from the Marketplace service, newest first, whatever the server version."""
    return select(query(client, marketplace_url, plugin_id=plugin_id, return_all_versions=True), plugin_id=plugin_id, all_releases=True)


def query(client, marketplace_url, plugin_id=None, text=None, server_version=None, return_all_versions=False):
    """GET <Marketplace>/api/v1/plugins, as the Marketplace service answers it (a static mirror ignores the query)."""
    base = (marketplace_url or DEFAULT_MARKETPLACE_URL).rstrip('/')
    params = {'per_page': -1, 'enterprise_plugins': 'true', 'return_all_versions': 'true' if return_all_versions else 'false'}
    for name, value in (('plugin_id', plugin_id), ('filter', text), ('server_version', server_version)):
        if value:
            params[name] = value
    try:
        entries = client.get_json(base + '/api/v1/plugins', params=params)
    except MattermostError as exc:
        raise MattermostError(
            'the Marketplace at %s cannot be read: %s. Check the Marketplace URL (marketplace_url, or the '
            "server's PluginSettings.MarketplaceURL) and that this host can reach it" % (redact_url(base), exc),
            **exc.details,
        )
    # The service answers [] when nothing matches; a mirror or proxy might answer null.
    if not isinstance(entries or [], list) or not all(isinstance(entry, dict) for entry in entries or []):
        shown = redact_url(base)
        raise MattermostError('%s/api/v1/plugins did not answer a JSON list of plugins: is %s a Marketplace?' % (shown, shown))
    return entries or []


def _precedence(entry):
    try:
        return parse_version(entry_version(entry) or '')
    except ValueError:
        return parse_version('0.0.0-unparsable')


def select(entries, plugin_id=None, text=None, server_version=None, all_releases=False):
    """The Marketplace service's own filtering and order, applied again on our side.

    A static mirror answers the same file whatever the query, so compatibility with `server_version`, the newest
    release per id, `plugin_id` and `filter` are (re)applied here; on a real Marketplace this changes nothing.
    """
    kept = [
        entry
        for entry in entries
        if entry_id(entry) and entry_version(entry) and (not server_version or is_compatible(min_server_version(entry), server_version))
    ]
    if not all_releases:
        newest: dict[str, dict[str, Any]] = {}
        for entry in kept:
            if entry_id(entry) not in newest or _precedence(entry) >= _precedence(newest[entry_id(entry)]):
                newest[entry_id(entry)] = entry
        kept = [entry for entry in kept if newest[entry_id(entry)] is entry]
    if plugin_id:
        kept = [entry for entry in kept if entry_id(entry) == plugin_id]
    if text:
        kept = [entry for entry in kept if matches(entry, text)]
    kept.sort(key=_precedence, reverse=True)
    kept.sort(key=lambda entry: (((entry.get('manifest') or {}).get('name') or '').lower(), entry_id(entry)))
    return kept


def matches(entry, text):
    """The Marketplace's and Mattermost's `filter`: exact id, or a substring of the name or description (any case)."""
    text = text.strip().lower()
    manifest = entry.get('manifest') or {}
    return entry_id(entry) == text or text in (manifest.get('name') or '').lower() or text in (manifest.get('description') or '').lower()


def min_server_version(entry):
    return (entry.get('manifest') or {}).get('min_server_version') or None


def label_names(entry):
    return [label.get('name') for label in entry.get('labels') or [] if label.get('name')]


def newer(candidate, current):
    """Whether version text `candidate` is above `current` (false when either is missing or not semver)."""
    try:
        return bool(candidate and current) and compare_versions(candidate, current) > 0
    except ValueError:
        return False


class LabelPolicy:
    """Which Marketplace labels a release may carry: `allowed` (every label must be listed) and `forbidden`.

    Label names compare without regard to case; a release without labels passes any `allowed` list.
    """

    def __init__(self, allowed=None, forbidden=None):
        self.allowed = None if allowed is None else [name.strip() for name in allowed]
        self.forbidden = [name.strip() for name in forbidden or []]

    def __bool__(self):
        return self.allowed is not None or bool(self.forbidden)

    def contradiction(self):
        """A label both allowed and forbidden, or None."""
        allowed = set(name.lower() for name in self.allowed or [])
        for name in self.forbidden:
            if name.lower() in allowed:
                return name
        return None

    def refusal(self, entry):
        """Why the policy refuses this release (naming the label and the option), or None."""
        forbidden = set(name.lower() for name in self.forbidden)
        for name in label_names(entry):
            if name.lower() in forbidden:
                return 'it carries the label %s, which forbidden_labels forbids' % name
        if self.allowed is not None:
            allowed = set(name.lower() for name in self.allowed)
            for name in label_names(entry):
                if name.lower() not in allowed:
                    return 'it carries the label %s, which allowed_labels (%s) does not allow' % (name, ', '.join(self.allowed) or 'empty')
        return None


def describe(entry, installed_version=None):
    """One `marketplace_info` entry."""
    manifest = entry.get('manifest') or {}
    installed = installed_version or entry.get('installed_version') or None
    version = entry_version(entry)
    return dict(
        id=entry_id(entry),
        name=manifest.get('name'),
        version=version,
        description=manifest.get('description'),
        labels=label_names(entry),
        release_stage=entry.get('release_stage') or None,
        author_type=entry.get('author_type') or None,
        enterprise=bool(entry.get('enterprise')),
        signed=bool(entry.get('signature')),
        download_url=entry.get('download_url') or None,
        homepage_url=entry.get('homepage_url') or manifest.get('homepage_url') or None,
        release_notes_url=entry.get('release_notes_url') or manifest.get('release_notes_url') or None,
        min_server_version=min_server_version(entry),
        installed_version=installed,
        update_available=newer(version, installed),
    )
