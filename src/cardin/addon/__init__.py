"""The Google Workspace add-on's boundary: Google's requests, events and the Gmail API."""
