"""Collected static files under content-hashed names (whitenoise compresses them too)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Remembers each file's URL once looked up: the manifest is read when the process starts, so a URL cannot change
    while it runs, and every page asks for the same few (the style sheet, the icon, the scripts)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        if name not in self._urls:
            self._urls[name] = super().url(name)
        return self._urls[name]
