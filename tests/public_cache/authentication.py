"""A sessionless way to log in, for the tests: the web server or proxy authenticated the
visitor and says who they are in ``REMOTE_USER`` (as Apache's ``mod_auth_*`` do), or an API
client sends ``Authorization: Bearer <username>``. Neither leaves a cookie."""

from django.contrib.auth import get_user_model


class SessionlessAuthenticationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        username = request.META.get("REMOTE_USER", "")
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        if authorization.startswith("Bearer "):
            username = authorization.removeprefix("Bearer ")
        if username:
            request.user = get_user_model().objects.get(username=username)
        return self.get_response(request)
