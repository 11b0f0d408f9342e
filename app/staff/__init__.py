"""The staff area: sign-in, editors, attendee lists, exports, outbox, audit log.

Two layers with the same topic names: `views/<topic>.py` parse the request, call a service and
render; `services/<topic>.py` hold the rules, queries and exports. The blueprint lives in
`app.staff.views`, so importing a service, the forms or the CLI never loads the views.
"""
