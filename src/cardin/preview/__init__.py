"""Local stand-ins that let Cardin run and be tested without a Google deployment."""
