from . import (
    test_arrangement,
    test_channels,
    test_charges,
    test_demo,
    test_dispute,
    test_http,
    test_letters,
    test_portal,
    test_portal_dispute,
    test_rates,
    test_security,
)
