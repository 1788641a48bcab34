"""The password backend of the portal: Django's, reading a user's staff profile with them.

Every page asks the user's staff role (the second-factor check, the tenant middleware,
the layout, staff views); reading the profile in the same query as the user saves
each request a query.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend, UserModel


class PortalBackend(ModelBackend):
    """Django's ModelBackend; a session's user comes with its staff profile (or none)."""

    def get_user(self, user_id):
        try:
            user = UserModel._default_manager.select_related("staff_profile").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
