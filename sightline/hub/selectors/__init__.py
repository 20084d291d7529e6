"""Every read of the hub, by area, as the services are split."""
