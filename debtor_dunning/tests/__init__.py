from . import test_demo, test_http, test_security
