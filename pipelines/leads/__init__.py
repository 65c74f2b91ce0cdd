"""Leads: the store's edges read as who holds or controls what, with how sure each edge is.

roles.py reads each source's words for an edge into canonical roles; control.py reads
Companies House natures of control into bands; edges.py builds `lead_edges` from the live
relationships, and `lead_edge_problems` for the edges it cannot use."""
