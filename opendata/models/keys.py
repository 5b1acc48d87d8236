"""Members' personal API keys.

A key reads the members-only datasets and columns of the organization whose member made it, as
long as the membership is current and the key is not revoked (``opendata.access``). Only a
digest is stored: the key itself is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.scoping import SiteScopedQuerySet

PREFIX = "lm"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(SiteScopedQuerySet):
    site_lookup = "account__site"

    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    account = models.ForeignKey(
        "crm_blocks.MemberAccount",
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    #: The key's first characters, shown to tell keys apart (« lm_3fa9… »).
    prefix = models.CharField(max_length=16, db_index=True)
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, account, name: str = "") -> tuple[ApiKey, str]:
        """A new key for ``account``: the record and the key (shown once, never stored)."""
        secret = f"{PREFIX}_{secrets.token_urlsafe(30)}"
        key = cls.objects.create(
            account=account, name=name, prefix=secret[:10], key_digest=digest(secret)
        )
        return key, secret

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
