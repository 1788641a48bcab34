"""Pages of rectification cases: the customer's (``customer``) and the staff's (``staff``)."""
