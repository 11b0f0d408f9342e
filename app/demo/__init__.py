"""Demo content as data files (authors/, articles/, events/), and `flask seed` that loads it."""
