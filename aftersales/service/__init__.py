"""The service desk: tickets, queues, routing, replies, call-backs and outgoing webhooks."""
