"""Rectification cases over the customer API: cases, their thread and re-inspection."""
