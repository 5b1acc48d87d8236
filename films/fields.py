"""The films' lists of codes moved to the foundations (``organizations.fields``), where the
open-data plugin uses them too; this name stays for the migrations that import it."""

from organizations.fields import ChoiceListField, CodeListFormField, contains, split_codes

__all__ = ["ChoiceListField", "CodeListFormField", "contains", "split_codes"]
