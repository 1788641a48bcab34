from django.contrib.auth import views as auth_views
from django.urls import path

from icpportal.accounts import views
from icpportal.accounts.two_factor import views as two_factor

urlpatterns = [
    path("login/", two_factor.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/setup/", two_factor.SetupView.as_view(), name="two-factor-setup"),
    path("two-factor/verify/", two_factor.VerifyView.as_view(), name="two-factor-verify"),
    path(
        "two-factor/recovery-codes/",
        two_factor.RecoveryCodesView.as_view(),
        name="two-factor-recovery-codes",
    ),
    path("signup/", views.SignUpView.as_view(), name="sign-up"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("members/", views.MembersView.as_view(), name="members"),
    path("members/<int:pk>/role/", views.ChangeRoleView.as_view(), name="member-role"),
    path("members/<int:pk>/remove/", views.RemoveMemberView.as_view(), name="member-remove"),
    path(
        "invitations/<int:pk>/revoke/",
        views.RevokeInvitationView.as_view(),
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", views.InvitationView.as_view(), name="invitation-accept"),
]
