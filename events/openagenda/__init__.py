"""The OpenAgenda sync: the v2 API client (``client``), what our events become there and back
(``mapping``), the sync itself (``sync``). The settings form is ``events.openagenda_forms``
(the models use it: it lives outside this package, which reads the models)."""
