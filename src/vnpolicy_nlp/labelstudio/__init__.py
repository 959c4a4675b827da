"""Label Studio integration: labeling config, pure converters, validation, agreement, and the
one module (``client``) that talks to a server, plus ``server`` to run one locally."""
