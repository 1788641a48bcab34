"""The access gate: which hosts the provider lets through, and the interception page.

Decisions live in the database (``AccessDecision``), are published to Redis after each
commit (``publish``), rebuilt periodically (``reconcile``), answered by
``/gate/check`` (``views``) and exported as nginx maps (``nginx_map``).
"""
