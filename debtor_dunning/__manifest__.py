{
    "name": "Debtor Dunning",
    "summary": "Gets overdue customer invoices paid: dunning levels, letters, "
    "disputes, payment arrangements, statutory costs and interest (NL, BE, EU)",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/debtor-dunning/debtor_dunning",
    "author": "Debtor Dunning",
    "license": "LGPL-3",
    "application": True,
    "depends": ["account", "mail", "portal"],
    "data": [
        "security/debtor_dunning_security.xml",
        "views/debtor_dunning_menus.xml",
    ],
    "demo": [
        "demo/debtor_dunning_demo.xml",
    ],
}
