"""Words the portal says one way, whichever library's page shows them.

Django merges the catalogues of its apps, the first app listed winning: Wagtail's users app calls a password
"رمز المرور" and allauth calls signing up "الاشتراك", where the portal's menu says "كلمة المرور" and "إنشاء حساب".
The portal's own catalogue (LOCALE_PATHS) wins over every app's, so these library strings are marked here to
be translated there, in the portal's words.
"""

from django.utils.translation import gettext_noop

LIBRARY_STRINGS = (
    gettext_noop("Sign Up"),
    gettext_noop("Password"),
    gettext_noop("Password (again)"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
)
