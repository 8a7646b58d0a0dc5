# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    # The options of the modules that download bundles on the host they run on (source=url).
    DOCUMENTATION = r"""
options:
  download_timeout:
    description:
      - Seconds a bundle download from a C(source=url) URL may take in all, redirects included; a download still
        running then fails and nothing is installed. O(timeout) still bounds each single read.
      - A download is also refused as soon as it exceeds the server's C(FileSettings.MaxFileSize), when the server
        reports it, since the upload would be refused anyway.
      - Redirects are followed (at most 10), and every hop must meet the same rule as the URL itself (https unless
        C(PluginSettings.AllowInsecureDownloadURL) is true). The actions name the final URL.
      - URLs are shown without their user name, password and query string (as C(?REDACTED)), which often hold
        credentials (presigned C(X-Amz-Signature) URLs).
    type: float
    default: 600
"""
