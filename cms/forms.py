from wagtail.admin.forms import WagtailAdminPageForm


class ParentAwarePageForm(WagtailAdminPageForm):
    """Let a new page's model validation see its parent (Wagtail places it in the tree only after)."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        if parent_page is not None and not self.instance.path:
            self.instance._parent_page = parent_page
