"""The admin console: the web face of the admin layer (:mod:`syncd.engine.admin`), served by syncd itself.

``syncd run`` mounts it under ``/console`` on its listener when ``[console] enabled``; ``syncd console``
serves it alone over the same store. See :mod:`syncd.console.app` (access) and :mod:`syncd.console.pages`.
"""
