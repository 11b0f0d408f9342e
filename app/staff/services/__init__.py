"""The staff area's rules, queries and exports, one module per topic; no Flask views here."""
