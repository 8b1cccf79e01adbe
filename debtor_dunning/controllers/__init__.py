from . import portal, portal_dispute
