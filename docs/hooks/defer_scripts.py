"""Load every script file with `defer`, so that the browser paints the page before running them.

Material writes its bundle, our extra_javascript and the iframe-worker shim (extra.polyfills) as
plain `<script src>` tags: the shim in the head blocks rendering, and the bundle at the end of
the body holds the first paint until it has been fetched and run (on a phone in Lighthouse, most
of the time to the largest paint was that wait). Deferred scripts run in document order after the
page is parsed, before DOMContentLoaded, which is what Material waits for anyway: the shim still
runs before the bundle, and the inline scripts (palette, config) need none of them.
"""

import re

PLAIN_SCRIPT = re.compile(r"<script src=(\"[^\"]+\")></script>")


def on_post_page(output, page, config):
    return PLAIN_SCRIPT.sub(r"<script src=\1 defer></script>", output)
