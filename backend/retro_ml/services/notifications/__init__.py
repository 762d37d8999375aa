"""Desktop notifications: a finished run, a new video or a failed run, while the user looks elsewhere.

Owns listening to the bus and sending each notification, behind its own setting, through the
platform's notification service (`service`: `NotificationService`), and the state the Settings
screen shows (`GET /api/system/integrations`, `POST /api/system/notify-test`).
"""

from retro_ml.services.notifications.service import NotificationService

__all__ = ["NotificationService"]
