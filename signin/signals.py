"""Whatever changes a user's devices forgets whether they have one (``policy.has_device``)."""

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .policy import device_cache_key


def forget_device(sender, instance, **kwargs):
    try:
        user = instance.user
    except ObjectDoesNotExist:  # the user is being deleted with their devices
        return
    cache.delete(device_cache_key(user))


def connect():
    for model in (TOTPDevice, StaticDevice):
        post_save.connect(forget_device, sender=model, dispatch_uid=f"signin-{model.__name__}-save")
        post_delete.connect(
            forget_device, sender=model, dispatch_uid=f"signin-{model.__name__}-delete"
        )
