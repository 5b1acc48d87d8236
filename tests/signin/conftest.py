import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _forget_devices():
    """Whether a user has a device is kept in the cache (``signin.policy.has_device``); the
    rollback after a test removes the device, not what the cache remembers of it."""
    yield
    cache.clear()
