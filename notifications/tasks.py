from __future__ import annotations

from celery import shared_task

from notifications import delivery


@shared_task(ignore_result=True)
def deliver_notifications(max_batches: int = 20, batch_size: int = 100) -> int:
    """Send due notifications, a bounded number of batches per run (idempotent)."""
    handled = 0
    for _ in range(max_batches):
        count = delivery.deliver_due(batch_size)
        handled += count
        if count < batch_size:
            break
    return handled


@shared_task(ignore_result=True)
def sweep_notifications() -> int:
    """Periodic: release rows of dead senders and send whatever is due (retries)."""
    delivery.release_stale()
    return deliver_notifications(max_batches=50)
