"""Pages are sent gzipped to browsers that accept it; nothing else is.

Only HTML: static files come compressed from WhiteNoise already, and media (video, audio, pictures, captions) must
keep their byte ranges (206 answers) and are compressed by their formats anyway.

Compressing a page that holds a secret next to text an attacker chose (BREACH) can leak the secret through the
response's size. The secret on every page, the CSRF token, is masked afresh for every response by Django (forms in
cached fragments too), so no guess can match it twice; a collection's share link is shown only on its owner's page,
which echoes nothing from the request (only search echoes its query). Django's middleware also pads each response
with a random number of bytes ("Heal the Breach"), and session cookies are SameSite=Lax, so another site cannot make
the browser send the many logged-in requests the attack needs.
"""

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware


class HTMLGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
