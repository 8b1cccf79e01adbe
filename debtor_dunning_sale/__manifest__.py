{
    "name": "Debtor Dunning - Sales",
    "summary": "Credit hold stops the confirmation of a held customer's sale orders "
    "unless a dunning manager overrides it with a reason",
    "version": "1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/debtor-dunning/debtor_dunning",
    "author": "Debtor Dunning",
    "license": "LGPL-3",
    "depends": ["debtor_dunning", "sale"],
    "data": [
        "security/ir.model.access.csv",
        "views/sale_order_views.xml",
    ],
    "auto_install": True,
}
