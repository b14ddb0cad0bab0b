"""Custom checkov policies of production-order-kit (IDs ``CKV_POK_<n>`` and ``CKV2_POK_<n>``).

checkov loads every ``.py`` file of this directory as a check module (it needs this
``__init__.py`` to do so) and every ``.yaml``/``.json`` file as a YAML policy, so the
directory holds nothing else but checks, their support modules (``cfn_values``,
``policy_settings``, ``stream_source``; they register no check), the taggable-type list and
the README.
"""
