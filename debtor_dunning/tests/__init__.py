from . import (
    test_arrangement,
    test_charges,
    test_demo,
    test_dispute,
    test_http,
    test_portal_dispute,
    test_rates,
    test_security,
)
