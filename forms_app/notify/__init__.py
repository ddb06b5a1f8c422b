"""Notifications (吹哨报到: the case flow reaches people). An action writes its messages into the
outbox in its own transaction (outbox.py); senders deliver them later through a channel
(channels.py), each try recorded, with back-off and a final "failed" (sender.py). The texts are
templates under forms_app/templates/notify/ (texts.py); the webhook's signature is signing.py."""
