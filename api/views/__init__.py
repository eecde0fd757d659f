"""API v1 views: thin, over the services, selectors and permission rules the pages use."""
