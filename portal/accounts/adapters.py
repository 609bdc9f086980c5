from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import get_language


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Remember the language the person signed up in, for the emails we send them."""
        user.preferred_language = (get_language() or user.preferred_language).split("-")[0]
        return super().save_user(request, user, form, commit=commit)
