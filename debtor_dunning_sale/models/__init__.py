from . import payment_transaction, sale_order
