"""The Wagtail admin of information requests and complaints."""

from wagtail import hooks

from .admin_laws import LawsViewSetGroup

# Laws, laws of bodies and announced holidays (superusers) --------------------------------------------


@hooks.register("register_admin_viewset")
def register_laws_viewsets():
    return LawsViewSetGroup()
