"""Bulk steps on rectification cases: staff tick cases (or take a whole filtered queue)
and a worker applies one step to each, through the usual actions, with progress."""
