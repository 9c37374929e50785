"""Drop <link rel="alternate" hreflang> from page heads: from disk they make Material log errors.

For every such tag Material fetches that language's sitemap.xml, to send a language switch to the
same page when it exists. From file:// the browser blocks those requests and logs CORS errors on
every page. Our switcher links already point at the same page in the other language (a test
checks it), so nothing is lost for readers; search engines still get the language alternates from
the i18n sitemap.
"""

import re

ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


def on_post_page(output, page, config):
    head, sep, body = output.partition("</head>")
    return ALTERNATE.sub("", head) + sep + body
