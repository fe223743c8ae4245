"""One ASGI application for HTTP and websockets (served by uvicorn: `microcourt serve`)."""

import os
import warnings

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcourt.settings.dev")
# WhiteNoise hands Django a file iterator; under ASGI Django warns that it reads it in a
# thread. That is correct behaviour for static files, not a problem to report per request.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous")
django.setup(set_prefix=False)  # what get_asgi_application() does, before its handler

from microcourt.core.middleware import SyncChainASGIHandler  # noqa: E402  (needs settings)
from microcourt.core.upload_guard import UploadGuardASGI  # noqa: E402

# Our middleware chain is synchronous: it runs in one thread with the view. In front of it,
# the upload guard: Django reads the whole body before any middleware runs, so a body over
# its route's limit is refused (413) there, before it is read or as soon as it passes.
django_asgi_app = UploadGuardASGI(SyncChainASGIHandler())

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs the apps loaded)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from microcourt.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
