"""The simulated world: EHR senders, the integration engine, its channels and the systems."""
