from notifications.models.notification import Notification
from notifications.models.verification import PhoneVerification

__all__ = ["Notification", "PhoneVerification"]
