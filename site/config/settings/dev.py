"""Local development and `make demo`: debug on, every host allowed, e-mail to the console."""

from config.env import env

from .base import *  # noqa: F403

DEBUG = env("DEBUG", True, cast=bool)
SECRET_KEY = env("SECRET_KEY", "dev-only-not-secret-liens-mutuels")
ALLOWED_HOSTS = env("ALLOWED_HOSTS", ["*"], cast=list)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
