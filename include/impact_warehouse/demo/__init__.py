"""Demo sources: the seeded generator and a local server speaking the Google Forms API."""
