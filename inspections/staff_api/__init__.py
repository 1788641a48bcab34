"""The compliance staff's API: bulk jobs on cases and inspection campaigns."""
