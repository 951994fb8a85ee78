"""Pure business rules of cims_app: plain values in, plain values out, no frappe import."""
