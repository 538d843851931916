"""sms domain."""
