"""The second factor of staff logins: an authenticator app (TOTP) and recovery codes.

Compliance staff and superusers confirm every login with a code from their
authenticator app, or with one of their single-use recovery codes. ``actions`` sets
the factor up and checks codes, ``views`` holds the set-up, verify and recovery-code
pages under /accounts/two-factor/, and ``enforcement`` keeps an unconfirmed login
away from everything else.
"""
