"""Privacy: consent records, the retention purge, attendees' own data export and erasure."""
