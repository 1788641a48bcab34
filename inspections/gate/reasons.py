"""The reasons an access decision carries, shared by the actions that write decisions
and the reconcile that recomputes them: a reconcile must leave Redis exactly as the
actions published it."""

BLOCKED = "Access blocked pending ICP filing rectification."
CANCELLED = "Access cancelled."
TRANSFER_CANCELLED = "Transfer cancelled: rectification overdue."
FILED = "Filed and accessed here."
NOT_ACCESSED = "The filing is not accessed here."
NO_FILING = "No active ICP filing covers this host."
