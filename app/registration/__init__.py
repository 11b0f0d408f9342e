"""Registration: the form, seats and waitlist, manage and cancel, calendar files.

The blueprint lives in `routes`; importing the service, queries or emails imports no view."""
