"""Static files as whitenoise keeps them (hashed names, gzip and Brotli copies), and the web
manifest's icons hashed like the pages' own links to them: with the manifest naming the plain
icons/favicon.svg and each page the hashed one, a first view downloaded the icon twice."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = (
        *CompressedManifestStaticFilesStorage.patterns,
        ("*.webmanifest", ((r"""(?P<matched>"src":\s*"(?P<url>[^"]+)")""", '"src": "%(url)s"'),)),
    )
