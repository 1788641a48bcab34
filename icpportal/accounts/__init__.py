"""Customer accounts: sign up, log in and out, password reset, members and invitations."""
