from wagtail.admin.panels import FieldPanel


class DuplicateConfirmationPanel(FieldPanel):
    """The "this is not the same record" box, shown only once near-identical records were found
    for the record being created."""

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            return super().is_shown() and bool(getattr(self.form, "similar_pages", None))
