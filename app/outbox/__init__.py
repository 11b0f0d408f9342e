"""The email outbox: a generic sender that knows nothing of registrations or events.

`queue` adds rows in the caller's transaction, `delivery` sends due rows with Flask-Mail and
records the outcome, `sender` is the per-process background thread (MAIL_DELIVERY=thread),
and `cli` is `flask outbox deliver [--loop]`, the worker. What an email says is the business
of the feature that sends it (app/registration/emails.py): a row holds the finished message,
or the inputs that feature's composer (queue.COMPOSERS) turns into it just before sending.
"""
