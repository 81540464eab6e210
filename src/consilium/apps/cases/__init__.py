"""Cases: request, intake (consent, coverage), lifecycle and timeline."""
