"""事中事后监管 of commitments: the checks the matter list orders and what follows from them.

``online`` decides a 网络核验 clause from the platform's own records; ``verification`` plans the
checks (a task per commitment to check, drawn by ``draws`` where the matter samples);
``fulfilment`` decides whether a commitment was kept and writes what follows.
"""
